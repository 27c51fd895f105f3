import Foundation
import Records
import ServiceLifecycle

/// The controller's main loop as a service: a pass every interval (sooner after a failed
/// fetch), or at once when the webhook fires; stops between passes, or abandons a wait, on
/// graceful shutdown.
package struct ReconcileLoop: Service {
    let controller: Controller

    package init(controller: Controller) {
        self.controller = controller
    }

    /// On graceful shutdown the pass in progress is abandoned between steps; notes of finished
    /// services are already written.
    package func run() async {
        await cancelWhenGracefulShutdown {
            var first = true
            var woken = false
            while !Task.isCancelled {
                await controller.pass(full: first, trigger: woken ? .webhook : .poll)
                first = false
                woken = await controller.waitForTrigger(upTo: await controller.nextWait())
            }
        }
    }
}
