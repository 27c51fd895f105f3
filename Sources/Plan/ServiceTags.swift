import ECSModel

/// A service's tags as git says: the manifest's, and berth's own (`berth:env`,
/// `berth:service`, and `berth:tags` naming the keys git set). UpdateService takes no tags, so
/// they are applied with TagResource; under `policy.prune`, a key git set once and no longer
/// sets is removed. Tags berth did not set (`aws:`, another tool's, one added by hand) stay.
package enum ServiceTags {
    /// The tags a new service is created with.
    package static func create(user: [ECSAPI.Tag]?, environment: String, service: String) -> [ECSAPI.Tag] {
        let user = (user ?? []).filter { !($0.key ?? "").hasPrefix("berth:") || Self.reviewOwned($0.key) }
        return user + berth(environment: environment, service: service, userKeys: user.compactMap(\.key))
    }

    /// What to set and what to remove on a live service.
    package static func changes(
        live: [String: String], user: [ECSAPI.Tag]?, environment: String, service: String,
        prune: Bool
    ) -> (tag: [ECSAPI.Tag], untag: [String]) {
        let wanted = create(user: user, environment: environment, service: service)
        let tag = wanted.filter { live[$0.key ?? ""] != ($0.value ?? "") }
        guard prune else { return (tag, []) }
        let keys = Set(wanted.compactMap(\.key))
        let once = (live[Tags.managedTags] ?? "").split(separator: ",").map(String.init)
        return (tag, once.filter { !keys.contains($0) && live[$0] != nil && !$0.hasPrefix("aws:") })
    }

    package static func berth(environment: String, service: String, userKeys: [String]) -> [ECSAPI.Tag] {
        let keys = userKeys.filter { !$0.hasPrefix("berth:") }.sorted().joined(separator: ",")
        var tags = [ECSAPI.Tag(key: Tags.environment, value: environment), ECSAPI.Tag(key: Tags.service, value: service)]
        // A tag value holds 256 characters: past that, berth does not track the keys (and prunes none).
        if keys.count <= 256 { tags.append(ECSAPI.Tag(key: Tags.managedTags, value: keys)) }
        return tags
    }

    /// A review environment's own tags, which its rendering set.
    package static func reviewOwned(_ key: String?) -> Bool { key?.hasPrefix("berth:review") == true }
}
