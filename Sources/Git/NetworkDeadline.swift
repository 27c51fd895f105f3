import Foundation
import Synchronization

/// libgit2 1.5 has no timeout of its own: a git server (HTTPS, SSH or git://) that accepts the
/// connection and then says nothing blocks the calling thread forever. Every network operation
/// therefore runs on a thread of its own, watched: each sign of life from the server (a
/// credential request, progress, a pack chunk) resets the clock, and `idle` seconds without
/// one give the operation up, like git's `http.lowSpeedTime`. A slow but moving transfer is
/// never cut.
///
/// An operation given up cannot be cancelled inside libgit2; its thread aborts at the next
/// callback or stays blocked on its socket. It works on a libgit2 handle of its own, and no
/// second operation on the same remote starts until it has returned, so stuck threads never
/// pile up in a long-running controller.
package enum NetworkDeadline {
    /// The variable that sets the idle timeout, a duration such as `30s` or `2m`; 60 s without it.
    package static let variable = "BERTH_GIT_TIMEOUT"
    static let defaultIdle = 60.0

    /// The idle timeout from the environment, or an error naming the variable.
    package static func idleTimeout(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(GitError) -> Double {
        guard let text = environment[variable]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return defaultIdle }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let number = Double(text.dropLast(suffix.count)), number.isFinite, number > 0, number * scale <= 86_400 {
                return number * scale
            }
        }
        throw GitError(
            code: .invalidSpec, message: "\(variable)=\(text) is not a duration from 1ms to 24h (e.g. 30s, 2m)",
            operation: "read \(variable)")
    }

    /// Seconds as set, to the millisecond ("2", "1.5", "0.7"), without Foundation's
    /// formatting (which loads ICU's number data into the process). `DurationText.limit` does
    /// the same above this module.
    static func seconds(_ value: Double) -> String {
        let milliseconds = (value * 1000).rounded()
        return milliseconds.truncatingRemainder(dividingBy: 1000) == 0 ? "\(Int(milliseconds / 1000))" : "\(milliseconds / 1000)"
    }

    /// A URL that reaches a server; local paths and file:// are read directly and need no watch.
    static func isNetwork(_ url: String) -> Bool {
        if url.hasPrefix("file://") || url.hasPrefix("/") || url.hasPrefix(".") { return false }
        if url.contains("://") { return true }
        // scp-like SSH, user@host:path; a Windows drive letter is not a host.
        guard let colon = url.firstIndex(of: ":"), url.distance(from: url.startIndex, to: colon) > 1 else { return false }
        return !url[..<colon].contains("/")
    }

    /// The remotes with an operation still running after it was given up.
    private static let stuck = Mutex<Set<String>>([])

    /// Runs `body`, the network operation on `url`, on a watched thread within the idle timeout,
    /// with the certificate authorities the environment names (see `CertificateAuthorities`).
    static func run<T: Sendable>(
        _ url: String, operation: String,
        _ body: @escaping @Sendable (NetworkWatch) -> Result<T, GitError>
    ) throws(GitError) -> T {
        try CertificateAuthorities.fromEnvironment()
        let idle = try idleTimeout()
        let key = Repository.redacted(url)
        let busy = stuck.withLock { $0.contains(key) }
        if busy {
            throw GitError(
                code: .timeout,
                message: "an earlier git operation on \(key) has not returned yet (the server "
                    + "stopped answering); not starting another until it does", operation: operation)
        }
        let watch = NetworkWatch()
        let outcome = Mutex<Result<T, GitError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let result = body(watch)
            outcome.withLock { $0 = result }
            if watch.finish() { stuck.withLock { _ = $0.remove(key) } }
            done.signal()
        }.start()
        while true {
            if done.wait(timeout: .now() + watch.remaining(idle)) == .success, let result = outcome.withLock({ $0 }) {
                return try result.get()
            }
            if watch.abandonIfIdle(idle) {
                stuck.withLock { _ = $0.insert(key) }
                // The thread may have finished between the check and the insert.
                if watch.finishedAfterAbandon { stuck.withLock { _ = $0.remove(key) } }
                throw GitError(
                    code: .timeout,
                    message: "the git server sent nothing for \(Self.seconds(idle))s; gave up "
                        + "(\(variable) sets this limit)", operation: operation)
            }
        }
    }
}

/// When the server last showed a sign of life, and whether the operation was given up.
final class NetworkWatch: Sendable {
    private struct State {
        var last = ContinuousClock.now
        var abandoned = false
        var finished = false
    }
    private let state = Mutex(State())

    /// A sign of life; false once the operation was given up (the callback then aborts it).
    func progressed() -> Bool {
        state.withLock { state in
            state.last = .now
            return !state.abandoned
        }
    }

    /// Seconds until the idle timeout ends, counted from the last sign of life.
    func remaining(_ idle: Double) -> Double {
        let elapsed = state.withLock { ContinuousClock.now - $0.last }
        return max(0.01, idle - Double(elapsed.components.seconds) - Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Gives the operation up when it has been idle `idle` seconds and has not finished.
    func abandonIfIdle(_ idle: Double) -> Bool {
        state.withLock { state in
            guard !state.finished, ContinuousClock.now - state.last >= .seconds(idle) else { return false }
            state.abandoned = true
            return true
        }
    }

    /// Marks the operation finished; true when it had been given up.
    func finish() -> Bool {
        state.withLock { state in
            state.finished = true
            return state.abandoned
        }
    }

    var finishedAfterAbandon: Bool { state.withLock { $0.finished } }
}
