import Adoption
import Apply
import BerthTestSupport
import ECS
import ECSModel
import Foundation
import Git
import Manifests
import Plan
import Reconcile
import Records
import Testing

/// A repository whose services were applied, then deleted from git (ECS still runs them), so
/// `berth import` has something real to adopt.
final class AdoptionRepo: @unchecked Sendable {
    let folder = ScratchFolder()
    let repo: Repository
    let environment: [String: String]

    init(_ files: [String: String], environment: [String: String] = [:]) throws {
        repo = try Repository.create(at: folder.path)
        self.environment = ["BERTH_LOCAL_PACE": "0", "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"].merging(environment) { $1 }
        try commit(files.mapValues { $0 }, "manifests")
    }

    @discardableResult
    func commit(_ files: [String: String?], _ message: String) throws -> ObjectID {
        try repo.commit(files: files, message: message)
    }

    func reconciler() throws -> Reconciler {
        Reconciler(
            manifests: ManifestLoader().load(try ManifestSource(repository: folder.path).read()),
            connector: TargetConnector(repositoryRoot: folder.path, environment: environment),
            recorder: NotesRecorder(repositoryPath: folder.path))
    }

    func apply(_ env: String) async throws {
        let outcomes = try await reconciler().apply(env, options: ApplyOptions(wait: false)).1
        #expect(outcomes.allSatisfy { $0.succeeded }, "\(outcomes.map(\.result))")
    }

    /// Removes every service file from the branch: ECS keeps running what was applied.
    func forgetServices() throws {
        let paths = try repo.listTree(at: repo.resolve("HEAD")).map(\.path)
            .filter { $0.hasPrefix("services/") || ($0.hasPrefix("environments/") && !$0.hasSuffix("/environment.yaml")) }
            .filter { !$0.hasSuffix("/") && (try? repo.entry(at: repo.resolve("HEAD"), path: $0))??.kind != .directory }
        try commit(Dictionary(uniqueKeysWithValues: paths.map { ($0, nil) }), "forget services")
    }

    /// Imports into the work tree and commits what was written.
    func importServices(_ environments: [String], services: [String] = [], force: Bool = false) async throws -> [String: String] {
        let loaded = ManifestLoader().load(try ManifestSource(repository: folder.path).read())
        let written = try await ManifestImporter(
            root: folder.path, loaded: loaded,
            connector: TargetConnector(repositoryRoot: folder.path, environment: environment)
        )
        .run(environments: environments, services: services, force: force)
        var files: [String: String] = [:]
        for path in written { files[path] = try String(contentsOfFile: folder.path + "/" + path, encoding: .utf8) }
        try commit(files, "import")
        return files
    }

    func plan(_ env: String) async throws -> EnvironmentPlan {
        try await reconciler().plan(env)
    }
}

@Suite struct ImportTests {
    static var fixtures: [String] { FixtureManifests.plain }

    /// Without ../shared the round trips would be none, and pass.
    @Test func thereAreFixtures() {
        #expect(Self.fixtures.count >= 20, "no task definitions under \(FixtureManifests.folder)")
    }

    static func roundTrip(_ repo: AdoptionRepo) async throws {
        try await repo.apply("test")
        try repo.forgetServices()
        #expect(try await repo.plan("test").services.isEmpty)
        let written = try await repo.importServices(["test"], services: ["svc"])
        #expect(Set(written.keys) == ["services/svc/service.yaml", "environments/test/svc.yaml"])
        let plan = try await repo.plan("test")
        #expect(!plan.hasChanges, "\(plan.changeLines)\n\(written)")
    }

    @Test(arguments: fixtures)
    func fixtureImportsBackCleanOnTheLocalTarget(_ fixture: String) async throws {
        try await Self.roundTrip(try AdoptionRepo(try FixtureManifests.files(fixture, target: "local: {}", network: nil)))
    }

    @Test(arguments: fixtures)
    func fixtureImportsBackCleanOnMoto(_ fixture: String) async throws {
        let cluster = "import-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await AWSECSClient(client: MotoServer.shared.client()).createCluster(ECSAPI.CreateClusterRequest(clusterName: cluster))
        let network = try await motoNetwork()
        try await Self.roundTrip(
            try AdoptionRepo(
                try FixtureManifests.files(fixture, target: "aws: {region: us-east-1, cluster: \(cluster)}", network: network),
                environment: try await motoEnvironment()))
    }

    @Test func environmentsImportedTogetherShareTheirCommonPartInTheBase() async throws {
        var files = [
            "berth.yaml": "version: 1\npromotion: [staging, prod]\n",
            "environments/staging/environment.yaml": "target: {local: {cluster: staging}}\n",
            "environments/prod/environment.yaml": "target: {local: {cluster: prod}}\n",
        ]
        for service in ["api", "worker"] {
            files["services/\(service)/service.yaml"] = """
                taskDefinition:
                  cpu: "256"
                  containerDefinitions:
                    - {name: app, image: "registry.example.com/\(service):1.0", memory: 256, portMappings: [{containerPort: 8080}],
                       environment: [{name: LOG_LEVEL, value: info}, {name: REGION, value: eu-west-1}]}
                service: {desiredCount: 1}

                """
            files["environments/staging/\(service).yaml"] = "images: {app: \"registry.example.com/\(service):1.1\"}\n"
            files["environments/prod/\(service).yaml"] = """
                taskDefinition: {containerDefinitions: [{name: app, environment: [{name: LOG_LEVEL, value: warn}]}]}
                service: {desiredCount: 3}

                """
        }
        let repo = try AdoptionRepo(files)
        try await repo.apply("staging")
        try await repo.apply("prod")
        try repo.forgetServices()
        let written = try await repo.importServices(["staging", "prod"])
        #expect(written.count == 6)
        let base = try #require(written["services/api/service.yaml"])
        #expect(base.contains("REGION") && base.contains("containerPort: 8080") && base.contains("cpu: \"256\""), "\(base)")
        #expect(!base.contains("registry.example.com"), "images belong to the overlays:\n\(base)")
        let prod = try #require(written["environments/prod/api.yaml"])
        #expect(prod.contains("warn") && prod.contains("desiredCount: 3") && prod.contains("\"registry.example.com/api:1.0\""), "\(prod)")
        #expect(!prod.contains("REGION") && !prod.contains("8080"), "\(prod)")
        let staging = try #require(written["environments/staging/api.yaml"])
        #expect(staging.contains("api:1.1") && staging.contains("info") && !staging.contains("8080"), "\(staging)")
        for env in ["staging", "prod"] {
            let plan = try await repo.plan(env)
            #expect(!plan.hasChanges, "\(plan.changeLines)")
        }
    }

    @Test func existingFilesAreLeftAloneUnlessForced() async throws {
        let repo = try AdoptionRepo([
            "berth.yaml": "version: 1\n",
            "environments/staging/environment.yaml": "target: {local: {}}\n",
            "environments/staging/api.yaml": "{}\n",
            "services/api/service.yaml": "taskDefinition: {containerDefinitions: [{name: app, image: \"r/api:1\", memory: 64}]}\n",
        ])
        try await repo.apply("staging")
        try repo.folder.write("environments/staging/api.yaml", "# mine\n{}\n")
        let loaded = ManifestLoader().load(try ManifestSource(repository: repo.folder.path).read())
        let importer = ManifestImporter(
            root: repo.folder.path, loaded: loaded, connector: TargetConnector(repositoryRoot: repo.folder.path, environment: repo.environment))
        await #expect(throws: ImportError.self) { _ = try await importer.run(environments: ["staging"], services: ["api"], force: false) }
        #expect(try String(contentsOfFile: repo.folder.path + "/environments/staging/api.yaml", encoding: .utf8) == "# mine\n{}\n")
        #expect(!FileManager.default.fileExists(atPath: repo.folder.path + "/services/api/service.yaml"))
        await #expect(throws: ImportError.self) { _ = try await importer.run(environments: ["staging"], services: ["nope"], force: false) }
        let written = try await importer.run(environments: ["staging"], services: ["api"], force: true)
        #expect(written.contains("environments/staging/api.yaml"))
    }
}
