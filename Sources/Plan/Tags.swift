import Canonical
import ECS
import ECSModel
import Manifests

/// The tags berth puts on what it registers.
package enum Tags {
    package static let commit = "berth:commit"
    package static let environment = "berth:env"
    package static let service = "berth:service"
    package static let path = "berth:path"
    package static let specHash = "berth:spec-hash"
    /// On a service: the keys of the tags git set, so that `policy.prune` removes only those.
    package static let managedTags = "berth:tags"

    /// ECS's tag list as a map.
    package static func map(_ tags: [ECSAPI.Tag]?) -> [String: String] {
        var map: [String: String] = [:]
        for tag in tags ?? [] { if let key = tag.key { map[key] = tag.value ?? "" } }
        return map
    }
}
