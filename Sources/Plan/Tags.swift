import Canonical
import ECS
import ECSModel
import Manifests

/// The tags berth puts on what it registers.
public enum Tags {
    public static let commit = "berth:commit"
    public static let environment = "berth:env"
    public static let service = "berth:service"
    public static let path = "berth:path"
    public static let specHash = "berth:spec-hash"
    /// On a service: the keys of the tags git set, so that `policy.prune` removes only those.
    public static let managedTags = "berth:tags"

    /// ECS's tag list as a map.
    public static func map(_ tags: [ECSAPI.Tag]?) -> [String: String] {
        var map: [String: String] = [:]
        for tag in tags ?? [] { if let key = tag.key { map[key] = tag.value ?? "" } }
        return map
    }
}
