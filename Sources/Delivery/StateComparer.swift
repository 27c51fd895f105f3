import Canonical
import ECSModel
import Manifests
import Plan

/// What changed from one rendered state of an environment to the next, service by service:
/// the log's third stage, after the walk and the loading. Each rendering is made into its
/// canonical forms once, kept by its render id while the states around it last.
struct StateComparer {
    /// What the log compares of a service: the canonical forms its hashes are made of (equal
    /// forms, equal hashes), which a changed one is diffed by. Made only for a rendering that
    /// differs from the one it is compared with.
    struct ServiceState {
        let taskDefinition: JSONValue
        let settings: JSONValue

        /// Equal forms, confirmed by their bytes (what the hashes are made of): strings that
        /// differ only in Unicode normalization are equal to Swift, not to the hash.
        func same(as other: ServiceState) -> Bool {
            taskDefinition == other.taskDefinition && settings == other.settings
                && taskDefinition.canonicalBytes == other.taskDefinition.canonicalBytes && settings.canonicalBytes == other.settings.canonicalBytes
        }
    }

    /// By render id: nil for a rendering whose requests cannot be made (left out, as before).
    private var compared: [UInt64: ServiceState?] = [:]
    private var comparisons = 0

    /// What differs from `before` to `now`, by environment (every environment with services on
    /// either side, changed or not), each sorted by service. Services keep their place from one
    /// patched load to the next, so the two are compared place by place, and only renderings
    /// that differ are looked at; anything else (services added or removed, a whole load) is
    /// compared by name.
    mutating func changes(from before: StateWindow.State?, to now: StateWindow.State) -> [String: [LogEntry.ServiceChange]] {
        comparisons += 1
        if comparisons % 64 == 0 {
            // Only the renderings at hand can come again (the next comparison's later state is
            // this one's earlier one); the rest are let go now and then (it costs the size).
            let live = Set((before?.rendered ?? []).map(\.renderID) + now.rendered.map(\.renderID))
            compared = compared.filter { live.contains($0.key) }
        }
        var result: [String: [LogEntry.ServiceChange]] = [:]
        let old = before?.rendered ?? []
        if old.count == now.rendered.count {
            var lastEnvironment: String?
            var alike = true
            for (a, b) in zip(old, now.rendered) {
                if b.environment != lastEnvironment {
                    lastEnvironment = b.environment
                    if result[b.environment] == nil { result[b.environment] = [] }
                }
                guard a.renderID != b.renderID else { continue }
                guard a.environment == b.environment, a.service == b.service else {
                    alike = false
                    break
                }
                if let change = change(b.service, from: a, to: b) { result[b.environment]!.append(change) }
            }
            if alike { return result.mapValues { $0.sorted { $0.service < $1.service } } }
            result = [:]
        }
        var byName: [String: [String: (old: RenderedService?, new: RenderedService?)]] = [:]
        for service in old { byName[service.environment, default: [:]][service.service, default: (nil, nil)].old = service }
        for service in now.rendered { byName[service.environment, default: [:]][service.service, default: (nil, nil)].new = service }
        for (environment, services) in byName {
            result[environment] = services.keys.sorted().compactMap { change($0, from: services[$0]!.old, to: services[$0]!.new) }
        }
        return result
    }

    /// How `name` changed, nil when it did not: the same rendering, or the same canonical forms.
    private mutating func change(_ name: String, from old: RenderedService?, to new: RenderedService?) -> LogEntry.ServiceChange? {
        if let old, let new, old.renderID == new.renderID { return nil }
        // One side is usually known from the comparison before (a log walks back in time: this
        // comparison's later state was the last one's earlier state): it is made first, and
        // the other made like it.
        func like(_ rendered: RenderedService?, _ state: ServiceState?) -> (RenderedService, ServiceState)? {
            guard let rendered, let state else { return nil }
            return (rendered, state)
        }
        let before: ServiceState?, after: ServiceState?
        if let old, compared[old.renderID] == nil {
            after = new.flatMap { compare($0) }
            before = compare(old, like: like(new, after))
        } else {
            before = old.flatMap { compare($0) }
            after = new.flatMap { compare($0, like: like(old, before)) }
        }
        switch (before, after) {
        case (nil, _?): return .init(change: "added", service: name, fields: [])
        case (_?, nil): return .init(change: "removed", service: name, fields: [])
        case (let before?, let after?):
            guard !before.same(as: after) else { return nil }
            let fields =
                FieldDiff.full(live: before.taskDefinition, desired: after.taskDefinition).map(\.path)
                + FieldDiff.full(live: before.settings, desired: after.settings).map { "service.\($0.path)" }
            return .init(change: "changed", service: name, fields: fields)
        default: return nil
        }
    }

    /// The canonical forms of a rendering, kept by its render id. Most changes leave the
    /// service's settings as they were, and change only images: settings made of identical
    /// inputs to `other`'s have its canonical form, and a task definition that differs from
    /// `other`'s only in images has its form with those replaced; neither is made again.
    private mutating func compare(_ rendered: RenderedService, like other: (RenderedService, ServiceState)? = nil) -> ServiceState? {
        if let known = compared[rendered.renderID] { return known }
        let made: ServiceState?
        if let (similar, state) = other, Self.sameSettings(similar, rendered) {
            let replaced = rendered.imageChanges(from: similar).flatMap {
                TaskDefinitionCanonical.replacingImages(in: state.taskDefinition, $0)
            }
            made = (replaced ?? (try? TaskDefinitionCanonical.canonical(rendered.registerRequest()))).map {
                ServiceState(taskDefinition: $0, settings: state.settings)
            }
        } else {
            made = (try? DesiredService.canonicalForms(rendered)).map { ServiceState(taskDefinition: $0, settings: $1) }
        }
        compared[rendered.renderID] = made
        return made
    }

    /// Whether two renderings' CreateService settings are made of the same inputs (what
    /// `DesiredService.canonicalForms` reads for them), byte for byte.
    static func sameSettings(_ a: RenderedService, _ b: RenderedService) -> Bool {
        a.serviceName.utf8.elementsEqual(b.serviceName.utf8) && a.cluster.utf8.elementsEqual(b.cluster.utf8)
            && a.family.utf8.elementsEqual(b.family.utf8) && a.serviceSettings.identical(to: b.serviceSettings)
    }
}
