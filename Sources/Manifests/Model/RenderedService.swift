/// What one service should be in one environment: the exact RegisterTaskDefinition request and
/// the CreateService/UpdateService settings, ready for the ECS API. A class: loads hand the
/// same renderings from head to head and from list to list, and copying the struct retained
/// every string and node in it (`berth log` at 100,000 commits went from about 12.3 to 11.5 s).
package final class RenderedService: Sendable {
    package let environment: String
    package let service: String
    package let family: String
    package let serviceName: String
    package let cluster: String
    /// The RegisterTaskDefinition request (camelCase AWS field names).
    package let taskDefinition: Node
    /// The CreateService request: `serviceName`, `cluster`, `taskDefinition` (the family) and
    /// the manifest's service settings.
    package let serviceSettings: Node
    /// The files this was rendered from, as shown in messages.
    package let sources: [String]
    /// The same number for the same rendering: a later load that found this service's inputs
    /// unchanged returns it as it was, so what is derived from it (canonical forms, hashes) can
    /// be kept by this number. Unique within the process.
    package let renderID: UInt64
    /// How CodeDeploy deploys it, for a `CODE_DEPLOY` service; deployment settings, not part
    /// of the spec (changing a hook deploys nothing).
    package let codeDeploy: CodeDeploySettings?

    init(
        environment: String, service: String, family: String, serviceName: String, cluster: String, taskDefinition: Node,
        serviceSettings: Node, sources: [String], renderID: UInt64, codeDeploy: CodeDeploySettings? = nil
    ) {
        self.environment = environment
        self.service = service
        self.family = family
        self.serviceName = serviceName
        self.cluster = cluster
        self.taskDefinition = taskDefinition
        self.serviceSettings = serviceSettings
        self.sources = sources
        self.renderID = renderID
        self.codeDeploy = codeDeploy
    }
}

extension RenderedService {
    /// Each container's image, by container name: what promotion moves and compares.
    package var images: [String: String] {
        var result: [String: String] = [:]
        for container in taskDefinition["containerDefinitions"]?.items ?? [] {
            if let name = container["name"]?.string, let image = container["image"]?.string { result[name] = image }
        }
        return result
    }

    /// The container images of this rendering that differ from `other`'s, by container name,
    /// when nothing else of the two task definitions differs, byte for byte, nor the family:
    /// a new release, the common change, whose canonical form is the other's with those images
    /// replaced. Nil when anything else differs, or no image does.
    package func imageChanges(from other: RenderedService) -> [String: (old: String, new: String)]? {
        guard family.utf8.elementsEqual(other.family.utf8), case .map(let theirs) = other.taskDefinition.value,
            case .map(let mine) = taskDefinition.value, theirs.count == mine.count
        else { return nil }
        var changes: [String: (old: String, new: String)] = [:]
        for (was, now) in zip(theirs, mine) {
            guard was.key.utf8.elementsEqual(now.key.utf8) else { return nil }
            if was.node.identical(to: now.node) { continue }
            guard was.key == "containerDefinitions", case .list(let olds) = was.node.value, case .list(let news) = now.node.value,
                olds.count == news.count
            else { return nil }
            for (old, new) in zip(olds, news) where !old.identical(to: new) {
                guard case .map(let oldEntries) = old.value, case .map(let newEntries) = new.value, oldEntries.count == newEntries.count,
                    let name = new["name"]?.string, changes[name] == nil
                else { return nil }
                for (a, b) in zip(oldEntries, newEntries) where !(a.key.utf8.elementsEqual(b.key.utf8) && a.node.identical(to: b.node)) {
                    guard a.key == "image", b.key == "image", case .string(let before) = a.node.value, case .string(let after) = b.node.value,
                        changes[name] == nil
                    else { return nil }
                    changes[name] = (before, after)
                }
            }
        }
        return changes.isEmpty ? nil : changes
    }
}

extension LoadedManifests {
    /// Each service's images in `environment` (of the services in `only`, when given), by
    /// service and container.
    package func images(environment: String, only services: Set<String>? = nil) -> [String: [String: String]] {
        Dictionary(
            uniqueKeysWithValues: rendered(environment: environment).lazy.filter { services?.contains($0.service) ?? true }
                .map { ($0.service, $0.images) })
    }
}
