import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Runs the controller: once (a single full pass), or as services (the loop and the HTTP
/// endpoints) until SIGTERM or SIGINT.
package enum ControllerRunner {
    package static func runOnce(_ controller: Controller) async -> Bool {
        await controller.pass(full: true, wait: true)
    }

    package static func run(_ controller: Controller, logger: Logger) async throws {
        var services: [any Service] = [ReconcileLoop(controller: controller)]
        if let listen = controller.options.listen {
            let parts = listen.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]) else { throw ControllerError("--listen wants host:port, got \(listen)") }
            let limits = controller.options.http
            let app = Application(
                router: HTTPEndpoints.router(controller),
                server: .http1(
                    configuration: .init(
                        additionalChannelHandlers: [RequestDeadline(seconds: limits.bodyTimeout)],
                        idleTimeout: .milliseconds(Int64(limits.headerTimeout * 1000)))),
                configuration: .init(
                    address: .hostname(String(parts[0]), port: port),
                    availableConnectionsDelegate: ConnectionLimit(
                        limit: limits.maxConnections,
                        metrics: controller.metrics)),
                logger: logger)
            services.append(app)
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info(
            "berth controller \(HTTPEndpoints.version) following \(controller.options.branch)",
            metadata: ["event": "start", "listen": "\(controller.options.listen ?? "-")", "identity": "\(controller.options.identity)"])
        defer { logger.info("berth controller stopped", metadata: ["event": "shutdown"]) }
        if controller.options.listen != nil, controller.options.webhookSecret == nil {
            logger.warning(
                "no webhook secret: every delivery to /hooks/git is refused; set BERTH_WEBHOOK_SECRET or --webhook-secret-file",
                metadata: ["event": "start"])
        }
        if let listen = controller.options.listen, controller.options.apiToken == nil,
            !(listen.hasPrefix("127.") || listen.hasPrefix("localhost:") || listen.hasPrefix("[::1]:"))
        {
            logger.warning(
                "no API token: the status page and API at \(listen) read openly; keep the port internal or set BERTH_API_TOKEN or --api-token-file",
                metadata: ["event": "start"])
        }
        try await group.run()
    }
}

package struct ControllerError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ description: String) { self.description = description }
}
