import ECSModel
import Controller
import ECS
import Foundation
import Git
import LocalAWS
import Notify

/// Benchmark 2: from a pushed commit to ECS's UpdateService, through the controller's webhook,
/// for one-service changes in a repository of `services` services × 3 environments.
struct LatencyBenchmark {
    let services: Int
    let commits: Int
    /// Services of varied shapes (`VariedManifests`, two environments) instead of uniform ones.
    var varied = false

    func run() async throws -> [Figure] {
        let folder = BenchFolder()
        defer { folder.remove() }
        let environments = varied ? VariedManifests.environments : ["dev", "staging", "prod"]
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        let targets = Dictionary(uniqueKeysWithValues: environments.map { ($0, "{local: {cluster: \($0)}}") })
        let files =
            varied
            ? VariedManifests.files(services: services, clusters: true)
            : PlanBenchmarks.manifestFiles(services: services, environments: targets)
        var tip = try origin.commit(changes: files, onto: "main", expectedTip: nil, message: "start", author: benchAuthor)
        let secret = "bench-webhook-secret"
        try secret.write(toFile: folder.path + "/secret", atomically: true, encoding: .utf8)
        let state = folder.path + "/state"
        let controller = try ControllerProcess(
            repository: folder.path + "/origin.git", stateDirectory: state, interval: "1h", resync: "1h",
            secretFile: folder.path + "/secret", environment: ["BERTH_LOCAL_PACE": "0"],
            path: varied ? "manifests" : nil)
        defer { controller.stop() }
        let setupStart = Date()
        try await controller.waitConverged(environments: environments.count, head: tip.hex, timeout: 1800)
        let setup = Date().timeIntervalSince(setupStart)

        // Reads the deployments the controller made: ECS stamps each with UpdateService's time.
        let ecs = LocalECS(stateFile: state + "/.berth/local-ecs.json", pace: 0)
        var latencies: [Double] = []
        for i in 0..<commits {
            let env = environments[i % environments.count]
            let service = "svc\((i * 7) % services)"
            let change: FileChange =
                varied
                ? .write("manifests/environments/\(env)/\(service).yaml", VariedManifests.overlay((i * 7) % services, env: env, build: i + 1))
                : .write("environments/\(env)/\(service).yaml", "images: {app: \"r/\(service):hot-\(i)\"}\n")
            tip = try origin.commit(
                changes: [change],
                onto: "main", expectedTip: tip, message: "\(service) hot-\(i) to \(env)", author: benchAuthor)
            let body = #"{"ref":"refs/heads/main","after":"\#(tip.hex)"}"#
            let pushed = Date()
            _ = try await HTTPProbe.post(
                controller.base + "/hooks/git", body: body,
                headers: [("X-Hub-Signature-256", WebhookSignature.header(Array(body.utf8), secret: secret))])
            try await waitApplied(controller, env: env, head: tip.hex)
            let described = try await ecs.describeServices(cluster: env, names: [service]).services?.first
            guard let primary = described?.deployments?.first(where: { $0.status == ECSStatus.primary }), let created = primary.createdAt?.date,
                primary.taskDefinition == described?.taskDefinition
            else { throw BenchError("\(service) in \(env) was not updated") }
            latencies.append(created.timeIntervalSince(pushed))
        }
        let inputs = "\(services) svc x \(environments.count) envs\(varied ? " (varied)" : ""), \(commits) commits, local"
        return [
            Figure(name: "2 controller first sync", inputs: inputs, value: format(setup), seconds: setup),
            Figure(
                name: "2 commit->UpdateService p50", inputs: inputs, value: format(percentile(latencies, 0.5)), seconds: percentile(latencies, 0.5)),
            Figure(
                name: "2 commit->UpdateService p99", inputs: inputs, value: format(percentile(latencies, 0.99)), seconds: percentile(latencies, 0.99)),
            Figure(name: "2 commit->UpdateService max", inputs: inputs, value: format(latencies.max() ?? .nan), seconds: latencies.max()),
        ]
    }

    /// Polls the controller's /version (applied commit per environment), which is cheap to serve.
    private func waitApplied(_ controller: ControllerProcess, env: String, head: String) async throws {
        let deadline = Date().addingTimeInterval(300)
        while Date() < deadline {
            if let text = try? await HTTPProbe.get(controller.base + "/version"),
                let version = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                (version["environments"] as? [String: String])?[env] == head
            {
                return
            }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw BenchError("\(env) did not apply \(head) within 300 s")
    }
}
