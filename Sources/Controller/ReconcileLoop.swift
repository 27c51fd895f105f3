import Foundation
import ServiceLifecycle

/// The controller's main loop as a service: a pass every interval, or at once when the webhook
/// fires; stops between passes, or abandons a wait, on graceful shutdown.
public struct ReconcileLoop: Service {
    let controller: Controller

    public init(controller: Controller) {
        self.controller = controller
    }

    /// On graceful shutdown the pass in progress is abandoned between steps; notes of finished
    /// services are already written.
    public func run() async {
        await cancelWhenGracefulShutdown {
            var first = true
            while !Task.isCancelled {
                await controller.pass(full: first)
                first = false
                await controller.waitForTrigger(upTo: controller.options.interval)
            }
        }
    }
}
