import ECSModel

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

    /// What the call changed: the entries it set, and the scalars as they are after it.
    init(_ state: LocalState, scalarsBefore: (failingImages: [String], nextID: Int)) {
        clusters = state.clusters.changes
        families = state.families.changes
        tags = state.tags.changes
        services = state.services.changes
        tasks = state.tasks.changes
        failingImages = state.failingImages
        nextID = state.nextID
        scalarsChanged = scalarsBefore.failingImages != state.failingImages || scalarsBefore.nextID != state.nextID
    }

    var isEmpty: Bool {
        !scalarsChanged && clusters.isEmpty && families.isEmpty && tags.isEmpty && services.isEmpty && tasks.isEmpty
    }

    func apply(to state: inout LocalState) {
        state.clusters.replay(clusters)
        state.families.replay(families)
        state.tags.replay(tags)
        state.services.replay(services)
        state.tasks.replay(tasks)
        state.failingImages = failingImages
        state.nextID = nextID
    }
}
