import AWS
import ECS
import Foundation
import Git
import Manifests
import Reconcile

/// ECS calls per steady-state resync, and a cold plan of many services, on the local target.
struct PlanBenchmarks {
    /// A repository of `services` services in `environments` environments, all on the local target.
    static func repository(services: Int, environments: [String], at folder: String) throws -> Repository {
        let repo = try Repository.create(at: folder)
        var changes: [FileChange] = [.write("berth.yaml", "version: 1\n")]
        for env in environments {
            changes.append(.write("environments/\(env)/environment.yaml", "target: {local: {cluster: \(env)}}\nrelease: {version: \"1.0\"}\n"))
        }
        for index in 0..<services {
            changes.append(.write("services/svc\(index)/service.yaml", """
                taskDefinition:
                  containerDefinitions:
                    - {name: app, image: "r/svc\(index):${release.version}", memory: 128, portMappings: [{containerPort: 8080}],
                       environment: [{name: B, value: "2"}, {name: A, value: "1"}]}
                service: {desiredCount: 1}

                """))
            for env in environments { changes.append(.write("environments/\(env)/svc\(index).yaml", "{}\n")) }
        }
        try repo.commit(changes: changes, onto: "main", expectedTip: nil, message: "bench", author: Signature(name: "Bench", email: "b@example.com"))
        return repo
    }

    static func reconciler(_ folder: String, counter: CallCounter) throws -> Reconciler {
        let files = try ManifestSource(repository: folder).read()
        return Reconciler(manifests: ManifestLoader().load(files),
                          connector: TargetConnector(repositoryRoot: folder, environment: ["BERTH_LOCAL_PACE": "0"], counter: counter),
                          recorder: NotesRecorder(repositoryPath: folder))
    }

    /// Calls made by a plan of an environment already in sync, against the minimum.
    static func steadyState(services: Int) async throws -> [Figure] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berth-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try repository(services: services, environments: ["prod"], at: folder)
        let counter = CallCounter()
        let reconciler = try reconciler(folder, counter: counter)
        _ = try await reconciler.apply("prod", options: ApplyOptions(wait: false, concurrency: 8))
        _ = try await reconciler.plan("prod")   // warms the task definition cache, as a running controller has it
        counter.reset()
        let start = Date()
        let plan = try await reconciler.plan("prod")
        let seconds = Date().timeIntervalSince(start)
        let writes = ["RegisterTaskDefinition", "CreateService", "UpdateService", "TagResource"].reduce(0) { $0 + counter.count($1) }
        let inputs = "\(services) services in sync, local"
        let minimum = (services + 9) / 10
        return [
            Figure(name: "resync: DescribeServices", inputs: inputs, value: "\(counter.count("DescribeServices")) (minimum \(minimum))", seconds: nil),
            Figure(name: "resync: DescribeTaskDefinition", inputs: inputs, value: "\(counter.count("DescribeTaskDefinition")) (minimum 0)", seconds: nil),
            Figure(name: "resync: write calls", inputs: inputs, value: "\(writes) (minimum 0); plan has changes: \(plan.hasChanges)", seconds: nil),
            Figure(name: "resync: plan time", inputs: inputs, value: String(format: "%.2f s", seconds), seconds: seconds),
        ]
    }

    /// A first plan (nothing cached) of `services` × 3 environments: wall time and peak memory.
    static func coldPlan(services: Int) async throws -> [Figure] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berth-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let environments = ["dev", "staging", "prod"]
        _ = try repository(services: services, environments: environments, at: folder)
        let start = Date()
        let reconciler = try reconciler(folder, counter: CallCounter())
        let loaded = Date().timeIntervalSince(start)
        for env in environments { _ = try await reconciler.plan(env) }
        let seconds = Date().timeIntervalSince(start)
        let inputs = "\(services) services x 3 envs, local, nothing deployed"
        return [
            Figure(name: "cold plan: load and render", inputs: inputs, value: String(format: "%.2f s", loaded), seconds: loaded),
            Figure(name: "cold plan: total", inputs: inputs, value: String(format: "%.2f s", seconds), seconds: seconds),
            Figure(name: "cold plan: peak memory", inputs: inputs, value: "\(peakMemoryMiB()) MiB", seconds: nil),
        ]
    }

    static func peakMemoryMiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ").dropFirst().first ?? "") else { return -1 }
        return kb / 1024
    }
}
