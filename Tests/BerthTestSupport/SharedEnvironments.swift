import Git

/// A bare repository of four environments on the local target, for tests where several
/// controller replicas share the work through one local ECS state file (BERTH_LOCAL_STATE_FILE).
package enum SharedEnvironments {
    package static let names = ["alpha", "bravo", "charlie", "delta"]

    /// Creates `<folder>/origin.git`; returns the shared state file.
    @discardableResult
    package static func origin(in folder: String) throws -> String {
        let origin = try Repository.create(at: folder + "/origin.git", bare: true)
        let shared = folder + "/local-ecs.json"
        var changes: [FileChange] = [
            .write("berth.yaml", "version: 1\n"),
            .write("services/api/service.yaml", "taskDefinition: {containerDefinitions: [{name: app, image: \"r/api:1\", memory: 64}]}\n"),
        ]
        for env in names {
            changes.append(.write("environments/\(env)/environment.yaml", "target: {local: {cluster: \(env)}}\n"))
            changes.append(.write("environments/\(env)/api.yaml", "service: {desiredCount: 1}\n"))
        }
        try origin.commit(
            changes: changes, onto: "main", expectedTip: nil, message: "four environments",
            author: Signature(name: "Dev", email: "dev@example.com"))
        return shared
    }
}
