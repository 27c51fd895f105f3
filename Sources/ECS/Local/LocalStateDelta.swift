import ECSModel
import Foundation

/// One journal line of the local backend: the entries a call set (nil: removed) and the
/// scalars after it. Entries are whole values, so applying a line twice is harmless.
struct LocalStateDelta: Codable, Sendable {
    var clusters: [String: LocalCluster?] = [:]
    var families: [String: [ECSAPI.TaskDefinition]?] = [:]
    var tags: [String: [ECSAPI.Tag]?] = [:]
    var services: [String: LocalService?] = [:]
    var tasks: [String: LocalTask?] = [:]
    var failingImages: [String]
    var nextID: Int
    var scalarsChanged: Bool

    init(from before: LocalState, to after: LocalState) {
        clusters = Self.changes(before.clusters, after.clusters)
        families = Self.changes(before.families, after.families)
        tags = Self.changes(before.tags, after.tags)
        services = Self.changes(before.services, after.services)
        tasks = Self.changes(before.tasks, after.tasks)
        failingImages = after.failingImages
        nextID = after.nextID
        scalarsChanged = before.failingImages != after.failingImages || before.nextID != after.nextID
    }

    var isEmpty: Bool {
        !scalarsChanged && clusters.isEmpty && families.isEmpty && tags.isEmpty && services.isEmpty && tasks.isEmpty
    }

    func apply(to state: inout LocalState) {
        Self.apply(clusters, to: &state.clusters)
        Self.apply(families, to: &state.families)
        Self.apply(tags, to: &state.tags)
        Self.apply(services, to: &state.services)
        Self.apply(tasks, to: &state.tasks)
        state.failingImages = failingImages
        state.nextID = nextID
    }

    /// Unchanged collections share their storage with the state before the call, and unchanged
    /// entries their buffers, so identical bits settle most comparisons without reading further.
    static func changes<V: Equatable>(_ before: [String: V], _ after: [String: V]) -> [String: V?] {
        var changed: [String: V?] = [:]
        if sameBits(before, after) { return changed }
        for (key, value) in after {
            guard let old = before[key], sameBits(old, value) || old == value else {
                changed[key] = .some(value)
                continue
            }
        }
        for key in before.keys where after[key] == nil { changed[key] = .some(nil) }
        return changed
    }

    static func apply<V>(_ changes: [String: V?], to values: inout [String: V]) {
        for (key, value) in changes { values[key] = value }
    }

    /// Bitwise identical values are equal: they hold the same references and the same scalars.
    static func sameBits<T>(_ a: T, _ b: T) -> Bool {
        withUnsafeBytes(of: a) { x in withUnsafeBytes(of: b) { y in x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }
}
