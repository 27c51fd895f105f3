/// Everything read from one manifest root: the environments, what each should run, and every
/// problem found, sorted. An environment with any error is blocked: nothing of it may be applied.
public struct LoadedManifests: Sendable {
    public let config: BerthConfig?
    public let environments: [Environment]
    /// Names of the services with a base (`services/<name>/service.yaml`).
    public let services: [String]
    public let rendered: [RenderedService]
    public let diagnostics: Diagnostics
    public let blockedEnvironments: Set<String>
    public let commit: ObjectID?

    public func environment(_ name: String) -> Environment? {
        environments.first { $0.name == name }
    }

    public func rendered(environment: String) -> [RenderedService] {
        rendered.filter { $0.environment == environment }
    }

    /// Every environment name found, including those that failed to load.
    public let environmentNames: [String]
    /// The manifest root in the repository ("" or e.g. "manifests/"), to read other commits alike.
    public var root: String = ""
}

import Git
