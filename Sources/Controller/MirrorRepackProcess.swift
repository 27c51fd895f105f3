import Blocking
import CLibc
import Foundation
import Git

/// A repack of the controller's mirror in a process of its own, as git runs `gc`: a whole
/// repack of a long history takes tens of MiB of heap and more (41 MiB at 9,000 commits in
/// benchmark 7), and in the controller's process some of what it freed stayed resident in
/// malloc's arenas (9.8 MiB in one run). A process of its own gives all of it back when it
/// ends, runs at the least priority, and cannot take the controller down with it. The
/// controller runs its own executable again with `verb` and a file holding the request; the
/// result comes back on standard output, both as JSON.
package enum MirrorRepackProcess {
    /// The first argument that makes `berth` (or `berth-bench`) a repack process.
    package static let verb = "__repack-mirror"

    /// The program to run for a repack: this executable, where the system names it (Linux);
    /// nil elsewhere, and the repack runs on a thread of the controller's.
    package static var ownExecutable: String? {
        FileManager.default.isExecutableFile(atPath: "/proc/self/exe") ? "/proc/self/exe" : nil
    }

    /// Becomes the repack process, and exits, when this program was run as one.
    package static func runIfAsked() {
        if CommandLine.arguments.dropFirst().first == verb { exit(main()) }
    }

    /// The request files' names in the mirror's folder (`RepositoryMirror.removeStaleLocks`
    /// removes any a controller that ended left).
    static let requestPrefix = "berth-repack-request-"

    /// Longer than any repack should take; past it the process is ended and the next fetch
    /// tries again.
    static let deadline: TimeInterval = 3_600

    struct Request: Codable {
        /// The mirror's folder (nothing of its origin: a repack fetches nothing).
        let path: String
        let packs: Int
        let loose: Int
        let baseline: Int
        let packed: Packed?
    }

    struct Result: Codable {
        let objects: Int
        let replacedPacks: Int
        let looseLeft: Int
        let packed: Packed
    }

    /// `Repository.Packed` as text.
    struct Packed: Codable {
        let tips: [String]
        let packs: [String]

        init(_ packed: Repository.Packed) {
            tips = packed.tips.map(\.hex)
            packs = packed.packs.sorted()
        }

        var value: Repository.Packed? {
            let ids = tips.compactMap(ObjectID.init(hex:))
            return ids.count == tips.count ? Repository.Packed(tips: ids, packs: Set(packs)) : nil
        }
    }

    /// Runs `program` with `verb` for `mirror.compact(…)` and returns what it returned.
    static func compact(
        _ mirror: RepositoryMirror, program: String, limits: (packs: Int, loose: Int), baseline: Int, packed: Repository.Packed?
    ) throws -> (objects: Int, replacedPacks: Int, looseLeft: Int, packed: Repository.Packed)? {
        let request = Request(path: mirror.path, packs: limits.packs, loose: limits.loose, baseline: baseline, packed: packed.map(Packed.init))
        // In a file, not a pipe: a process that ended before reading all of it would leave the
        // controller writing to a closed pipe (SIGPIPE).
        let file = mirror.path + "/\(requestPrefix)\(UUID().uuidString).json"
        try JSONEncoder().encode(request).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = [verb, file]
        let output = Pipe()
        // What it says on standard error (a crash's last words) goes where the controller's does.
        (process.standardInput, process.standardOutput, process.standardError) = (FileHandle.nullDevice, output, FileHandle.standardError)
        try process.run()
        // SIGKILL: a signal the child could block (it inherits its spawner's mask) is no deadline.
        let alarm = Alarm(after: deadline) { [process] in kill(process.processIdentifier, SIGKILL) }
        defer { alarm.cancel() }
        let answer = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit else {
            throw RepackFailed(description: "the repack process was ended by signal \(process.terminationStatus)")
        }
        let reply = try? JSONDecoder().decode(Reply.self, from: answer)
        if let error = reply?.error { throw RepackFailed(description: error) }
        guard process.terminationStatus == 0, let reply else {
            throw RepackFailed(description: "the repack process exited with \(process.terminationStatus) and no answer")
        }
        guard let result = reply.result else { return nil }
        guard let now = result.packed.value else { throw RepackFailed(description: "the repack process named a commit that is not an id") }
        return (result.objects, result.replacedPacks, result.looseLeft, now)
    }

    /// What the repack process answers: a result, nothing (no repack was due), or an error.
    struct Reply: Codable {
        var result: Result?
        var error: String?
    }

    struct RepackFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// The repack process: reads the request from the file its argument names, repacks, and
    /// answers on standard output (`Reply`). Returns the exit status.
    package static func main() -> Int32 {
        // Started from a thread that blocks signals (a dispatch worker's), it would keep that
        // mask and could not be stopped by a SIGTERM.
        berth_unblock_signals()
        _ = berth_lower_thread_priority()
        var reply = Reply()
        do {
            let arguments = CommandLine.arguments
            guard arguments.count == 3 else { throw RepackFailed(description: "usage: \(verb) REQUEST-FILE") }
            let request = try JSONDecoder().decode(Request.self, from: Data(contentsOf: URL(fileURLWithPath: arguments[2])))
            // Read: it is not needed again, and a controller that ended does not leave it.
            try? FileManager.default.removeItem(atPath: arguments[2])
            let mirror = RepositoryMirror(mirrorAt: request.path)
            let done = try mirror.compact(limit: request.packs, looseLimit: request.loose, baseline: request.baseline, packed: request.packed?.value)
            reply.result = done.map {
                Result(objects: $0.objects, replacedPacks: $0.replacedPacks, looseLeft: $0.looseLeft, packed: Packed($0.packed))
            }
        } catch {
            reply.error = "\(error)"
        }
        FileHandle.standardOutput.write((try? JSONEncoder().encode(reply)) ?? Data())
        return reply.error == nil ? 0 : 1
    }
}
