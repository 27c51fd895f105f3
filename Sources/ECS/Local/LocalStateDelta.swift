import ECSModel

/// One journal line of the local backend: the entries a call set (nil: removed) and the
/// scalars after it. Entries are whole values, so applying a line twice is harmless.
struct LocalStateDelta: Codable, Sendable {
    var clusters: [String: LocalCluster?] = [:]
    var revisionCounts: [String: Int?] = [:]
    var revisions: [String: LocalRevision?] = [:]
    /// Lines written before `revisions`: each family's revisions whole.
    var families: [String: [ECSAPI.TaskDefinition]?]?
    var tags: [String: [ECSAPI.Tag]?] = [:]
    var services: [String: LocalService?] = [:]
    var tasks: [String: LocalTask?] = [:]
    var codeDeploy: [String: LocalCodeDeployEntry?] = [:]
    var failingHooks: [String: Int?] = [:]
    var failingImages: [String]
    var nextID: Int
    var scalarsChanged: Bool

    /// What the call changed: the entries it set, and the scalars as they are after it.
    init(_ state: LocalState, scalarsBefore: (failingImages: [String], nextID: Int)) {
        clusters = state.clusters.changes
        revisionCounts = state.revisionCounts.changes
        revisions = state.revisions.changes
        tags = state.tags.changes
        services = state.services.changes
        tasks = state.tasks.changes
        codeDeploy = state.codeDeploy.changes
        failingHooks = state.failingHooks.changes
        failingImages = state.failingImages
        nextID = state.nextID
        scalarsChanged = scalarsBefore.failingImages != state.failingImages || scalarsBefore.nextID != state.nextID
    }

    var isEmpty: Bool {
        !scalarsChanged && clusters.isEmpty && revisionCounts.isEmpty && revisions.isEmpty && (families ?? [:]).isEmpty && tags.isEmpty
            && services.isEmpty && tasks.isEmpty && codeDeploy.isEmpty && failingHooks.isEmpty
    }

    func apply(to state: inout LocalState) {
        state.clusters.replay(clusters)
        state.revisionCounts.replay(revisionCounts)
        state.revisions.replay(revisions)
        if let families { state.setFamilies(families) }
        state.tags.replay(tags)
        state.services.replay(services)
        state.tasks.replay(tasks)
        state.codeDeploy.replay(codeDeploy)
        state.failingHooks.replay(failingHooks)
        state.failingImages = failingImages
        state.nextID = nextID
    }
}

extension LocalStateDelta {
    private enum CodingKeys: String, CodingKey {
        case clusters, revisionCounts, revisions, families, tags, services, tasks, codeDeploy, failingHooks, failingImages, nextID, scalarsChanged
    }

    /// Lines written before `revisions` have `families` instead, and are read as such.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        clusters = try container.decodeIfPresent([String: LocalCluster?].self, forKey: .clusters) ?? [:]
        revisionCounts = try container.decodeIfPresent([String: Int?].self, forKey: .revisionCounts) ?? [:]
        revisions = try container.decodeIfPresent([String: LocalRevision?].self, forKey: .revisions) ?? [:]
        families = try container.decodeIfPresent([String: [ECSAPI.TaskDefinition]?].self, forKey: .families)
        tags = try container.decodeIfPresent([String: [ECSAPI.Tag]?].self, forKey: .tags) ?? [:]
        services = try container.decodeIfPresent([String: LocalService?].self, forKey: .services) ?? [:]
        tasks = try container.decodeIfPresent([String: LocalTask?].self, forKey: .tasks) ?? [:]
        codeDeploy = try container.decodeIfPresent([String: LocalCodeDeployEntry?].self, forKey: .codeDeploy) ?? [:]
        failingHooks = try container.decodeIfPresent([String: Int?].self, forKey: .failingHooks) ?? [:]
        failingImages = try container.decode([String].self, forKey: .failingImages)
        nextID = try container.decode(Int.self, forKey: .nextID)
        scalarsChanged = try container.decode(Bool.self, forKey: .scalarsChanged)
    }
}
