import Foundation
import ServiceLifecycle

/// The controller's main loop as a service: a pass every interval, or at once when the webhook
/// fires; stops between passes, or abandons a wait, on graceful shutdown.
public struct ReconcileLoop: Service {
    let controller: Controller

    public init(controller: Controller) {
        self.controller = controller
    }

    public func run() async throws {
        do {
            try await loop()
        } catch is CancellationError {
            // Graceful shutdown: the pass in progress was abandoned between steps; notes of
            // finished services are already written.
        }
    }

    private func loop() async throws {
        try await cancelWhenGracefulShutdown {
            var first = true
            while !Task.isCancelled {
                await controller.pass(full: first)
                first = false
                let interval = controller.options.interval
                var waited = 0.0
                while waited < interval, !Task.isCancelled {
                    if await controller.takeTrigger() { break }
                    try await Task.sleep(nanoseconds: 200_000_000)
                    waited += 0.2
                }
            }
        }
    }
}
