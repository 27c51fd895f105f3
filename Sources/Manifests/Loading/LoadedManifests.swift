/// Everything read from one manifest root: the environments, what each should run, and every
/// problem found, sorted. An environment with any error is blocked: nothing of it may be applied.
package struct LoadedManifests: Sendable {
    package let config: BerthConfig?
    package let environments: [Environment]
    /// Names of the services with a base (`services/<name>/service.yaml`).
    package let services: [String]
    package let rendered: [RenderedService]
    package let diagnostics: Diagnostics
    package let blockedEnvironments: Set<String>
    /// For each blocked environment, the diagnostics of what blocks it: the shared files', the
    /// bases it uses', and its own folder's. Their errors are why nothing of it may be applied.
    package let blocking: [String: Diagnostics]
    package let commit: ObjectID?

    package func environment(_ name: String) -> Environment? {
        environments.first { $0.name == name }
    }

    package func rendered(environment: String) -> [RenderedService] {
        rendered.filter { $0.environment == environment }
    }

    /// Every environment name found, including those that failed to load.
    package let environmentNames: [String]
    /// The manifest root in the repository ("" or e.g. "manifests/"), to read other commits alike.
    package var root: String = ""
}

import Git
