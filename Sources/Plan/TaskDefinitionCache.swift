import Canonical
import ECS
import ECSModel
import Manifests

/// Task definitions never change once registered, so each is described once per process.
package actor TaskDefinitionCache {
    package struct Entry: Sendable {
        package let definition: ECSAPI.TaskDefinition
        package let tags: [String: String]
        /// Computed once: a revision never changes, and every resync compares it.
        package let canonical: JSONValue
    }

    private var entries: [String: Entry] = [:]
    /// Keys looked up since the last sweep, and in the generation before: the revisions
    /// services run and applies reuse.
    private var used = Set<String>()
    private var previous = Set<String>()
    /// Lookups in this generation: one ends after as many lookups as there are entries.
    private var lookups = 0
    /// Entries kept however few are in use.
    let floor: Int

    /// Revisions nobody has looked up for two generations are dropped. A generation lasts as
    /// many lookups as the cache has entries (at least `floor`), so every revision a resync
    /// looks at each pass stays: a long-running controller registers a revision per change and
    /// would otherwise keep every one it ever saw.
    package init(floor: Int = 256) {
        self.floor = floor
    }

    package var count: Int { entries.count }

    package func get(_ arn: String, from client: any ECSClient) async throws -> Entry {
        used.insert(arn)
        lookups += 1
        if lookups >= max(floor, entries.count) { endGeneration() }
        if let entry = entries[arn] { return entry }
        let response = try await client.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: arn, include: ["TAGS"]))
        guard let definition = response.taskDefinition else {
            throw ReconcileError(.incompleteAnswer, "ECS returned no task definition for \(arn)")
        }
        let entry = Entry(
            definition: definition, tags: Tags.map(response.tags),
            canonical: TaskDefinitionCanonical.canonical(TaskDefinitionCanonical.request(from: definition, tags: response.tags)))
        entries[arn] = entry
        if let canonicalArn = definition.taskDefinitionArn {
            entries[canonicalArn] = entry
            used.insert(canonicalArn)
        }
        return entry
    }

    /// The newest ACTIVE revision of `family` tagged with `specHash`, looking at the newest `limit`;
    /// for a review environment, only one of its own life (a teardown deregisters exactly those),
    /// and for any other, never a review environment's.
    package func find(
        family: String, specHash: String, in client: any ECSClient, limit: Int = 10, owner: ReviewIdentity? = nil
    ) async throws -> String? {
        // One page, newest first: listing every revision cost a call per hundred of them, and
        // the family only grows. Sorted again for servers that ignore `sort` (moto).
        let page = try await client.listTaskDefinitions(
            ECSAPI.ListTaskDefinitionsRequest(
                familyPrefix: family, status: ECSStatus.active, sort: "DESC", maxResults: limit))
        let arns = (page.taskDefinitionArns ?? []).sorted { Self.revision($0) > Self.revision($1) }
        for arn in arns.prefix(limit) {
            let entry = try await get(arn, from: client)
            if entry.tags[Tags.specHash] == specHash, owner.map({ $0.owns(entry.tags) }) ?? (entry.tags[ReviewIdentity.nameTag] == nil) {
                return entry.definition.taskDefinitionArn ?? arn
            }
        }
        return nil
    }

    private func endGeneration() {
        entries = entries.filter { used.contains($0.key) || previous.contains($0.key) }
        previous = used
        used = []
        lookups = 0
    }

    static func revision(_ arn: String) -> Int {
        Int(arn.split(separator: ":").last ?? "") ?? 0
    }
}
