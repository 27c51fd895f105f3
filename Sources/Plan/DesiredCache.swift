import Manifests
import Synchronization

/// Desired services kept across commits by `RenderedService.renderID`: a service the
/// incremental loader did not render again keeps its requests, canonical forms and hashes, so
/// a new head costs what it changed.
package final class DesiredCache: Sendable {
    private let values = Mutex<[UInt64: DesiredService]>([:])

    package init() {}

    package func desired(_ rendered: RenderedService) throws -> DesiredService {
        if let known = values.withLock({ $0[rendered.renderID] }) { return known }
        let made = try DesiredService(rendered)
        values.withLock { $0[rendered.renderID] = made }
        return made
    }

    /// Forgets every service that `loaded` does not render: what a later head can still reuse.
    package func keep(only loaded: LoadedManifests) {
        let live = Set(loaded.rendered.map(\.renderID))
        // Removed in place: filtering would copy every kept service.
        values.withLock { values in
            for key in Array(values.keys) where !live.contains(key) { values.removeValue(forKey: key) }
        }
    }

    package var count: Int { values.withLock { $0.count } }
}
