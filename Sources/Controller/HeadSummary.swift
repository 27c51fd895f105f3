import Canonical
import Foundation
import Manifests
import Plan
import Reconcile

/// What a head renders to, as the scheduler compares it: each environment's services and their
/// specs, a fingerprint of each environment's desired state, and the promotions it offers.
enum HeadSummary {
    /// For each step of berth.yaml's promotion order, the images a promotion would move.
    static func promotions(_ loaded: LoadedManifests) -> [ControllerStatus.PromotionPreview] {
        let order = loaded.config?.promotion ?? []
        guard order.count > 1 else { return [] }
        return zip(order, order.dropFirst()).map { from, to in
            let source = loaded.images(environment: from), target = loaded.images(environment: to)
            var changes: [String] = []
            for service in target.keys.sorted() where source[service] != nil {
                for (container, image) in source[service]!.sorted(by: { $0.key < $1.key }) where target[service]![container] != image {
                    changes.append("\(service): \(container) \(target[service]![container] ?? "(none)") -> \(image)")
                }
            }
            return .init(from: from, to: to, changes: changes)
        }
    }

    /// Each environment's services and their `DesiredService.specs`: what a head renders to.
    /// Made by the head's reconciler, which keeps them for the apply that follows.
    static func specs(_ loaded: LoadedManifests, _ reconciler: Reconciler) -> [String: [String: ServiceSpecs]] {
        var result: [String: [String: ServiceSpecs]] = [:]
        for name in loaded.environmentNames {
            result[name] = Dictionary(((try? reconciler.desired(name).1) ?? []).map { ($0.name, $0.specs) }, uniquingKeysWith: { one, _ in one })
        }
        return result
    }

    /// The specs, plus what can change without a new head: a freeze starting or ending at `now`.
    static func fingerprints(_ loaded: LoadedManifests, specs: [String: [String: ServiceSpecs]], now: Date) -> [String: String] {
        var result: [String: String] = [:]
        for name in loaded.environmentNames {
            let frozen = loaded.environment(name)?.freeze.map { $0.isActive(at: now) ? "frozen" : "" } ?? ""
            let services = (specs[name] ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
            result[name] = SpecHash.of(.string(services + frozen + (loaded.blockedEnvironments.contains(name) ? "blocked" : "")))
        }
        return result
    }
}
