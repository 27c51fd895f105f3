import AsyncHTTPClient
import Foundation
import Logging
import Manifests
import NIOCore

/// Sends events to the environment's notification URLs. A receiver that fails or hangs costs
/// at most `attempts × timeout` plus the backoff, and never fails what reported the event:
/// delivery problems are logged and returned, not thrown.
package struct Notifier: Sendable {
    package let environment: [String: String]
    package var attempts = 3
    package var timeout: TimeInterval = 2
    package var backoff: TimeInterval = 0.5
    let logger = Logger(label: "berth.notify")

    package init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Delivers `event` to every target that wants it, all at once; returns the failures.
    @discardableResult
    package func send(_ event: NotificationEvent, to targets: [NotificationTarget]) async -> [String] {
        let wanted = targets.filter { $0.wants(event.event) }
        guard !wanted.isEmpty else { return [] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        guard let body = try? encoder.encode(event) else { return ["cannot encode the event"] }
        return await withTaskGroup(of: String?.self) { group in
            for target in wanted { group.addTask { await deliver(Array(body), to: target) } }
            var failures: [String] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures
        }
    }

    func deliver(_ body: [UInt8], to target: NotificationTarget) async -> String? {
        var request = HTTPClientRequest(url: target.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "berth")
        if let name = target.secretEnv {
            guard let key = environment[name], !key.isEmpty else {
                logger.warning(
                    "notification not sent: \(name), which holds its signing key, is not set", metadata: ["url": "\(Self.redacted(target.url))"])
                return "\(Self.redacted(target.url)): \(name) is not set"
            }
            request.headers.add(name: "X-Berth-Signature-256", value: WebhookSignature.header(body, secret: key))
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        var last = ""
        for attempt in 1...attempts {
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
                if (200..<300).contains(response.status.code) { return nil }
                last = "HTTP \(response.status.code)"
                if (400..<500).contains(response.status.code) && response.status.code != 429 { break }
            } catch {
                last = "\(error)"
            }
            if attempt < attempts { try? await Task.sleep(nanoseconds: UInt64(backoff * Double(1 << (attempt - 1)) * 1e9)) }
        }
        logger.warning("notification not delivered", metadata: ["url": "\(Self.redacted(target.url))", "error": "\(last)"])
        return "\(Self.redacted(target.url)): \(last)"
    }

    /// The URL without its query and credentials: receivers often carry tokens there.
    static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return "(notification URL)" }
        parts.query = nil
        parts.user = nil
        parts.password = nil
        return parts.string ?? "(notification URL)"
    }
}
