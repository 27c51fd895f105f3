import ArgumentParser
import Delivery
import Foundation
import Git

/// Benchmarks that print figures (they assert nothing about time). More arrive with the
/// controller; see docs/performance.md.
@main
struct BerthBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "berth-bench", abstract: "Measure berth and print the figures.")

    enum Format: String, ExpressibleByArgument { case table, json }

    @Option(help: "Commits in the generated history for the log benchmark.")
    var commits = 1000

    @Option(help: "table or json.")
    var output: Format = .table

    @Option(help: "Service counts for the steady-state resync benchmark.")
    var resync: [Int] = [10, 100, 1000]

    @Option(help: "Services per environment for the cold plan benchmark.")
    var coldServices = 1000

    func run() async throws {
        var figures: [Figure] = []
        for services in resync { figures += try await PlanBenchmarks.steadyState(services: services) }
        figures += try await PlanBenchmarks.coldPlan(services: coldServices)
        figures += try LogBenchmark(commits: commits).run()
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(figures), as: UTF8.self))
        case .table:
            print("benchmark                         inputs                          value")
            for figure in figures {
                print(figure.name.padding(toLength: 34, withPad: " ", startingAt: 0)
                      + figure.inputs.padding(toLength: 32, withPad: " ", startingAt: 0) + figure.value)
            }
        }
    }
}

struct Figure: Codable {
    let name: String
    let inputs: String
    let value: String
    let seconds: Double?
}

/// `berth log --env prod` over a generated history, beside `git log` over the same paths.
struct LogBenchmark {
    let commits: Int

    func run() throws -> [Figure] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berth-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repo = try Repository.create(at: folder, bare: true)
        let who = Signature(name: "Bench", email: "bench@example.com")
        let base: [String: String] = [
            "manifests/berth.yaml": "version: 1\npromotion: [staging, prod]\n",
            "manifests/environments/staging/environment.yaml": "target: {local: {}}\nrelease: {version: \"0\"}\n",
            "manifests/environments/prod/environment.yaml": "target: {local: {}}\nrelease: {version: \"0\"}\n",
            "manifests/services/api/service.yaml": "taskDefinition: {containerDefinitions: [{name: app, image: \"r/api:${release.version}\", memory: 128}]}\n",
            "manifests/environments/staging/api.yaml": "{}\n",
            "manifests/environments/prod/api.yaml": "{}\n",
        ]
        var tip = try repo.commit(changes: base.sorted { $0.key < $1.key }.map { .write($0.key, $0.value) }, onto: "main",
                                  expectedTip: nil, message: "start", author: who)
        let started = Date()
        for i in 1..<commits {
            let env = i % 10 == 0 ? "prod" : "staging"
            tip = try repo.commit(changes: [.write("manifests/environments/\(env)/environment.yaml", "target: {local: {}}\nrelease: {version: \"\(i)\"}\n")],
                                  onto: "main", expectedTip: tip, message: "release \(i) to \(env)", author: who)
        }
        let generation = Date().timeIntervalSince(started)

        let berthStart = Date()
        let entries = try DeploymentLog(repositoryPath: folder, manifestPath: "manifests").entries(environment: "prod")
        let berth = Date().timeIntervalSince(berthStart)

        let gitStart = Date()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", folder, "log", "--format=%H", "main", "--", "manifests/environments/prod", "manifests/services"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let git = Date().timeIntervalSince(gitStart)

        let inputs = "\(commits) commits, 1 service, 2 envs"
        return [
            Figure(name: "generate history (libgit2)", inputs: inputs, value: String(format: "%.2f s", generation), seconds: generation),
            Figure(name: "berth log --env prod", inputs: inputs, value: String(format: "%.2f s (%d entries)", berth, entries.count), seconds: berth),
            Figure(name: "git log -- prod paths", inputs: inputs, value: String(format: "%.3f s", git), seconds: git),
            Figure(name: "berth log / git log", inputs: inputs, value: String(format: "%.0fx", berth / max(git, 0.0001)), seconds: nil),
        ]
    }
}
