import ArgumentParser
import Controller
import Foundation

@main
enum BerthBenchMain {
    /// This program is also the repack process of the controllers it runs (as `berth` is of
    /// `berth controller`).
    static func main() async {
        MirrorRepackProcess.runIfAsked()
        await BerthBench.main()
    }
}

/// Measures berth and prints the figures; asserts nothing about time. Each benchmark runs in a
/// process of its own, so one's memory never shows in another's figures. See docs/performance.md.
struct BerthBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "berth-bench", abstract: "Measure berth and print the figures.")

    enum Format: String, ExpressibleByArgument { case table, json }

    enum Benchmark: String, ExpressibleByArgument, CaseIterable {
        case resync, latency, cold, compare, memory, log, soak, notes
    }

    @Option(help: "Benchmarks to run (default: all): \(Benchmark.allCases.map(\.rawValue).joined(separator: ", ")).")
    var only: [Benchmark] = []

    @Option(help: "table or json.")
    var output: Format = .table

    @Option(help: "1: service counts for the steady-state resync.")
    var resync: [Int] = [10, 100, 1000]

    @Option(help: "1: targets for the steady-state resync (local, moto).")
    var resyncTargets: [String] = ["local", "moto"]

    @Option(help: "2, 3, 5: services per environment.")
    var services = 1000

    @Option(help: "2: commits pushed one at a time.")
    var latencyCommits = 200

    @Flag(help: "2: services of varied shapes in 2 environments (VariedManifests), not uniform ones in 3.")
    var latencyVaried = false

    @Flag(help: "3: services of varied shapes in 2 environments (VariedManifests), not uniform ones in 3.")
    var coldVaried = false

    @Option(help: "4: services deployed by each tool.")
    var compareServices = 20

    @Option(help: "4: the folder holding ecs-deploy's `ecs` and the AWS CLI's `aws`.")
    var tools = ".build/bench-venv/bin"

    @Option(help: "5: full reconciles before memory is read.")
    var cycles = 1000

    @Flag(help: "5: half as many services of varied shapes (VariedManifests) in each of 2 environments.")
    var memoryVaried = false

    @Option(help: "6: commits in the generated history.")
    var commits = 100_000

    @Option(help: "6: services in the generated history (of varied shapes).")
    var logServices = 300

    @Option(help: "6: keep the generated history in this folder, and reuse it when it is there.")
    var logRepository: String?

    @Option(help: "6: runs of each log, alternating, of which the medians are compared.")
    var logRuns = 5

    @Option(help: "7: fetch and reconcile cycles.")
    var soakCycles = 10_000

    @Flag(help: "7: services of varied shapes (VariedManifests), half as many in each of 2 environments.")
    var soakVaried = false

    @Option(help: "8: notes already written when one more is timed.")
    var notes: [Int] = [100, 100_000]

    func run() async throws {
        let chosen = only.isEmpty ? Benchmark.allCases : only
        var figures: [Figure] = []
        if chosen.count == 1 {
            figures = try await measure(chosen[0])
        } else {
            for benchmark in chosen { figures += try runAlone(benchmark) }
        }
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(figures), as: UTF8.self))
        case .table:
            print(
                "benchmark".padding(toLength: 36, withPad: " ", startingAt: 0) + "inputs".padding(toLength: 46, withPad: " ", startingAt: 0) + "value"
            )
            for figure in figures {
                print(
                    figure.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                        + figure.inputs.padding(toLength: 46, withPad: " ", startingAt: 0) + figure.value)
            }
        }
    }

    func measure(_ benchmark: Benchmark) async throws -> [Figure] {
        switch benchmark {
        case .resync:
            var figures: [Figure] = []
            for target in resyncTargets.compactMap(BenchTarget.init(rawValue:)) {
                for count in resync { figures += try await PlanBenchmarks.steadyState(services: count, target: target) }
            }
            return figures
        case .latency: return try await LatencyBenchmark(services: services, commits: latencyCommits, varied: latencyVaried).run()
        case .cold: return try await PlanBenchmarks.coldPlan(services: services, varied: coldVaried)
        case .compare: return try await PeerComparison(services: compareServices, tools: tools).run()
        case .memory: return try await ControllerBenchmarks.memory(services: services, cycles: cycles, varied: memoryVaried)
        case .log: return try LogBenchmark(commits: commits, services: logServices, keep: logRepository, runs: logRuns).run()
        case .soak: return try await ControllerBenchmarks.soak(cycles: soakCycles, varied: soakVaried)
        case .notes: return try NotesBenchmark(sizes: notes).run()
        }
    }

    /// Runs one benchmark in a new process of this program and reads its figures.
    func runAlone(_ benchmark: Benchmark) throws -> [Figure] {
        var arguments = CommandLine.arguments
        arguments.removeFirst()
        arguments = arguments.enumerated().filter { index, argument in
            argument != "--only" && (index == 0 || arguments[index - 1] != "--only") && argument != "--output"
                && (index == 0 || arguments[index - 1] != "--output")
        }.map(\.element)
        FileHandle.standardError.write(Data("berth-bench: \(benchmark.rawValue)…\n".utf8))
        let result = try runProgram([CommandLine.arguments[0]] + arguments + ["--only", benchmark.rawValue, "--output", "json"])
        guard result.status == 0,
            let start = result.output.range(of: "\n[")?.lowerBound ?? (result.output.hasPrefix("[") ? result.output.startIndex : nil)
        else {
            return [
                Figure(
                    name: "\(benchmark.rawValue) failed", inputs: "", value: result.output.split(separator: "\n").last.map(String.init) ?? "",
                    seconds: nil)
            ]
        }
        return try JSONDecoder().decode([Figure].self, from: Data(result.output[start...].utf8))
    }
}
