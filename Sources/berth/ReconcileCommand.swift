import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore

/// `berth reconcile`: asks a running controller for a pass now, as `flux reconcile` does, past
/// any wait for the next poll, backoff or stall. The controller answers at once; the pass runs
/// in the background (watch `/api/status` or the page).
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Ask a running controller for a pass over an environment now.",
        discussion: "The API token, when the controller has one, comes from BERTH_API_TOKEN (or BERTH_API_TOKEN_FILE).")

    @Option(help: "The environment (default: every environment).")
    var env: String?

    @Option(help: "The controller's address (its --listen).")
    var controller = "http://127.0.0.1:8080"

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let token = try APIToken.read(
            file: environment["BERTH_API_TOKEN_FILE"].flatMap { $0.isEmpty ? nil : $0 },
            variable: environment["BERTH_API_TOKEN"])
        // What --listen takes (host:port) works here too.
        var base = controller.contains("://") ? controller : "http://" + controller
        while base.hasSuffix("/") { base.removeLast() }
        let query = env.map { "?environment=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        var request = HTTPClientRequest(url: base + "/api/reconcile" + query)
        request.method = .POST
        request.headers.add(name: "X-Berth-Request", value: "1")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        // A controller that is down fails at once: no retrying the connection until a timeout.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let answer: HTTPClientResponse
        let body: String
        do {
            answer = try await client.execute(request, timeout: .seconds(15))
            body = String(buffer: try await answer.body.collect(upTo: 64 << 10)).trimmingCharacters(in: .whitespacesAndNewlines)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            // Never the token, whatever the error quotes.
            let reason = token.map { "\(error)".replacingOccurrences(of: $0, with: "***") } ?? "\(error)"
            throw CLIError("cannot reach the controller at \(base): \(reason)")
        }
        guard answer.status.code == 202 else { throw CLIError("the controller answered \(answer.status.code): \(body)") }
        print(body)
    }
}
