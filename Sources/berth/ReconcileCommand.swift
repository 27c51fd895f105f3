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
        var token = environment["BERTH_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if token == nil, let file = environment["BERTH_API_TOKEN_FILE"] {
            token = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let base = controller.hasSuffix("/") ? String(controller.dropLast()) : controller
        let query = env.map { "?environment=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0) } ?? ""
        var request = HTTPClientRequest(url: base + "/api/reconcile" + query)
        request.method = .POST
        request.headers.add(name: "X-Berth-Request", value: "1")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        let answer: HTTPClientResponse
        do {
            answer = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
        } catch {
            throw CLIError("cannot reach the controller at \(base): \(error)")
        }
        let body = String(buffer: try await answer.body.collect(upTo: 64 << 10)).trimmingCharacters(in: .whitespacesAndNewlines)
        guard answer.status.code == 202 else { throw CLIError("the controller answered \(answer.status.code): \(body)") }
        print(body)
    }
}
