import AWS
import Apply
import ECS
import ECSModel
import Foundation
import Git
import LocalAWS
import Manifests
import Plan
import Reconcile
import Records

/// Where a benchmark's environments run: the embedded local target, or moto's ECS over HTTP.
enum BenchTarget: String {
    case local, moto

    /// The `target:` of an environment; moto's clusters are created first.
    func manifest(cluster: String) async throws -> String {
        switch self {
        case .local: return "{local: {cluster: \(cluster)}}"
        case .moto:
            _ = try await AWSECSClient(client: try await MotoServer.shared.client()).createCluster(ECSAPI.CreateClusterRequest(clusterName: cluster))
            return "{aws: {region: us-east-1, cluster: \(cluster)}}"
        }
    }

    func environment() async throws -> [String: String] {
        switch self {
        case .local: return ["BERTH_LOCAL_PACE": "0"]
        // moto is no AWS account: ECS's throttles (RateLimiter.ecs) would only slow the set-up.
        case .moto: return try await motoEnvironment().merging(["AWS_REGION": "us-east-1", "BERTH_ECS_RATE_SCALE": "0"]) { $1 }
        }
    }
}

/// ECS calls per steady-state resync, and a cold plan of many services.
struct PlanBenchmarks {
    /// A repository of `services` services in each of `environments`, every one at release 1.0.
    static func manifestFiles(services: Int, environments: [String: String]) -> [FileChange] {
        var changes: [FileChange] = [.write("berth.yaml", "version: 1\n")]
        for (env, target) in environments.sorted(by: { $0.key < $1.key }) {
            changes.append(.write("environments/\(env)/environment.yaml", "target: \(target)\nrelease: {version: \"1.0\"}\n"))
        }
        for index in 0..<services {
            changes.append(
                .write(
                    "services/svc\(index)/service.yaml",
                    """
                    taskDefinition:
                      containerDefinitions:
                        - {name: app, image: "r/svc\(index):${release.version}", memory: 128, portMappings: [{containerPort: 8080}],
                           environment: [{name: B, value: "2"}, {name: A, value: "1"}]}
                    service: {desiredCount: 1}

                    """))
            for env in environments.keys { changes.append(.write("environments/\(env)/svc\(index).yaml", "{}\n")) }
        }
        return changes
    }

    static func reconciler(_ folder: String, counter: CallCounter, environment: [String: String], path: String = "") throws -> Reconciler {
        let files = try ManifestSource(repository: folder, path: path).read()
        return Reconciler(
            manifests: ManifestLoader().load(files),
            connector: TargetConnector(repositoryRoot: folder, environment: environment, counter: counter),
            recorder: NotesRecorder(repositoryPath: folder))
    }

    /// Benchmark 1: the calls a plan of an environment already in sync makes, against the minimum.
    static func steadyState(services: Int, target: BenchTarget) async throws -> [Figure] {
        let folder = BenchFolder()
        defer { folder.remove() }
        let cluster = "resync-\(services)-\(UUID().uuidString.prefix(6))"
        let repo = try Repository.create(at: folder.path)
        try repo.commit(
            changes: manifestFiles(services: services, environments: ["prod": try await target.manifest(cluster: cluster)]),
            onto: "main", expectedTip: nil, message: "bench", author: benchAuthor)
        let counter = CallCounter()
        let reconciler = try reconciler(folder.path, counter: counter, environment: try await target.environment())
        _ = try await reconciler.apply("prod", options: ApplyOptions(wait: false, concurrency: 8))
        _ = try await reconciler.plan("prod")  // warms the task definition cache, as a running controller has it
        counter.reset()
        let start = Date()
        let plan = try await reconciler.plan("prod")
        let seconds = Date().timeIntervalSince(start)
        let writes = ["RegisterTaskDefinition", "CreateService", "UpdateService", "TagResource"].reduce(0) { $0 + counter.count($1) }
        let inputs = "\(services) services in sync, \(target)"
        let minimum = (services + 9) / 10
        // A fresh process (as CI runs `berth plan`): nothing cached, only the records to go by.
        let fresh = CallCounter()
        let freshPlan = try await Self.reconciler(folder.path, counter: fresh, environment: try await target.environment()).plan("prod")
        return [
            Figure(
                name: "1 fresh plan: DescribeServices", inputs: inputs, value: "\(fresh.count("DescribeServices")) (minimum \(minimum))", seconds: nil
            ),
            Figure(
                name: "1 fresh plan: DescribeTaskDefinition", inputs: inputs,
                value: "\(fresh.count("DescribeTaskDefinition")) (minimum 0); changes planned: \(freshPlan.hasChanges)", seconds: nil),
            Figure(
                name: "1 resync: DescribeServices", inputs: inputs, value: "\(counter.count("DescribeServices")) (minimum \(minimum))", seconds: nil),
            Figure(
                name: "1 resync: DescribeTaskDefinition", inputs: inputs, value: "\(counter.count("DescribeTaskDefinition")) (minimum 0)",
                seconds: nil),
            Figure(name: "1 resync: write calls", inputs: inputs, value: "\(writes) (minimum 0); changes planned: \(plan.hasChanges)", seconds: nil),
            Figure(name: "1 resync: plan time", inputs: inputs, value: format(seconds), seconds: seconds),
        ]
    }

    /// Benchmark 3: a first plan (nothing cached, nothing deployed) of `services` × 3 environments,
    /// five times, each with a reconciler of its own (nothing kept between them): the first, as a
    /// fresh process pays it, and the median, which one slow moment of the machine does not move.
    /// The repository is written to disk first, so its writeback is not timed. `varied`: the
    /// services of `VariedManifests` (sidecars, secrets, variables, JSON files) in its two
    /// environments, not uniform ones in three.
    static func coldPlan(services: Int, varied: Bool = false, rounds: Int = 5) async throws -> [Figure] {
        let folder = BenchFolder()
        defer { folder.remove() }
        let environments = varied ? VariedManifests.environments : ["dev", "staging", "prod"]
        let repo = try Repository.create(at: folder.path)
        let targets = Dictionary(uniqueKeysWithValues: environments.map { ($0, "{local: {cluster: \($0)}}") })
        try repo.commit(
            changes: varied
                ? VariedManifests.files(services: services, clusters: true) : manifestFiles(services: services, environments: targets),
            onto: "main", expectedTip: nil, message: "bench", author: benchAuthor)
        // Packed, as a clone (CI's checkout) holds it: thousands of loose objects would time the
        // file system's lookups as much as berth.
        try runProgram(["git", "-C", folder.path, "repack", "-adq"])
        sync()
        let before = Memory.peakMiB()
        var loads: [Double] = [], totals: [Double] = []
        for _ in 1...rounds {
            let start = Date()
            let reconciler = try reconciler(
                folder.path, counter: CallCounter(), environment: ["BERTH_LOCAL_PACE": "0"], path: varied ? "manifests" : "")
            loads.append(Date().timeIntervalSince(start))
            for env in environments { _ = try await reconciler.plan(env) }
            totals.append(Date().timeIntervalSince(start))
        }
        let inputs = varied ? "\(services) varied svc x 2 envs, nothing deployed" : "\(services) services x 3 envs, local, nothing deployed"
        func shown(_ values: [Double]) -> String { "\(format(values[0])) first, \(format(percentile(values, 0.5))) median of \(values.count)" }
        return [
            Figure(name: "3 cold plan: load and render", inputs: inputs, value: shown(loads), seconds: percentile(loads, 0.5)),
            Figure(name: "3 cold plan: total", inputs: inputs, value: shown(totals), seconds: percentile(totals, 0.5)),
            Figure(
                name: "3 cold plan: peak memory", inputs: inputs,
                value: String(format: "%.0f MiB (process peak before: %.0f MiB)", Memory.peakMiB(), before), seconds: nil),
        ]
    }
}
