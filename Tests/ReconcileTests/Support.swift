import AWS
import BerthTestSupport
import ECS
import Foundation
import Git
import Manifests
@testable import Plan
@testable import Apply
@testable import Review
@testable import Reconcile
import Records

/// A real git repository of manifests in a temporary folder, and berth pointed at it.
final class ManifestRepo: @unchecked Sendable {
    let folder = ScratchFolder()
    let repo: Repository
    let environment: [String: String]
    let counter = CallCounter()
    private(set) var connector: TargetConnector

    init(_ files: [String: String], environment: [String: String] = [:]) throws {
        repo = try Repository.create(at: folder.path)
        self.environment = ["BERTH_LOCAL_PACE": "0.05", "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"]
            .merging(environment) { $1 }
        connector = TargetConnector(repositoryRoot: folder.path, environment: self.environment, counter: counter)
        try commit(files, "manifests")
    }

    @discardableResult
    func commit(_ files: [String: String?], _ message: String) throws -> ObjectID {
        try repo.commit(files: files, message: message)
    }

    /// A reconciler for the current HEAD; `fresh` starts a new process's worth of caches.
    func reconciler(fresh: Bool = false) throws -> Reconciler {
        if fresh { connector = TargetConnector(repositoryRoot: folder.path, environment: environment, counter: counter) }
        let files = try ManifestSource(repository: folder.path).read()
        return Reconciler(manifests: ManifestLoader().load(files), connector: connector, recorder: NotesRecorder(repositoryPath: folder.path))
    }

    func plan(_ env: String) async throws -> EnvironmentPlan {
        try await reconciler().plan(env)
    }

    func apply(_ env: String, wait: Bool = true, retry: Bool = false, hooks: ApplyHooks = ApplyHooks()) async throws -> [ServiceOutcome] {
        try await reconciler().apply(env, options: ApplyOptions(wait: wait, timeout: 30, pollInterval: 0.05, retry: retry), hooks: hooks).1
    }

    var writes: Int {
        [
            "RegisterTaskDefinition", "CreateService", "UpdateService", "TagResource", "CreateCluster",
            "DeregisterTaskDefinition", "DeleteService",
        ].reduce(0) { $0 + counter.count($1) }
    }

    func localECS() -> LocalECS {
        LocalECS(stateFile: folder.path + "/.berth/local-ecs.json", region: "us-east-1", accountId: "000000000000", pace: 0.05)
    }
}

/// A small valid manifest set with `count` services in one environment.
func manifests(
    services count: Int = 2, target: String = "local: {}", env: String = "staging",
    image: String = "registry.example.com/app:1.0", overlay: String = "service: {desiredCount: 1}"
) -> [String: String] {
    var files = [
        "berth.yaml": "version: 1\n",
        "environments/\(env)/environment.yaml": "target:\n  \(target)\nrelease: {version: \"1.0\"}\n",
    ]
    for index in 0..<count {
        files["services/svc\(index)/service.yaml"] = """
            taskDefinition:
              containerDefinitions:
                - name: app
                  image: \(image)
                  memory: 128
                  portMappings: [{containerPort: 8080}]
                  environment: [{name: B, value: "2"}, {name: A, value: "1"}]
            service:
              desiredCount: 1
              deploymentConfiguration:
                deploymentCircuitBreaker: {enable: true, rollback: true}

            """
        files["environments/\(env)/svc\(index).yaml"] = overlay + "\n"
    }
    return files
}
