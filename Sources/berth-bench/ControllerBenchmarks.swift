import CMemory
import Controller
import ECS
import ECSModel
import Logging
import Foundation
import Git

/// Benchmarks 5 and 7: the controller's memory over many cycles. The controller runs in this
/// process (each benchmark has a process of its own), so the resident memory is the controller's.
struct ControllerBenchmarks {
    /// A bare origin of `services` services in one environment on the local target, and a
    /// controller following it with its state in `folder`. `varied`: half as many services of
    /// `VariedManifests` (sidecars, secrets, variables, JSON files) in each of its two
    /// environments, as many in all.
    static func setUp(services: Int, in folder: BenchFolder, varied: Bool = false) throws -> (Repository, ObjectID, Controller) {
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        let tip = try origin.commit(
            changes: varied
                ? VariedManifests.files(services: services / 2, clusters: true)
                : PlanBenchmarks.manifestFiles(services: services, environments: ["prod": "{local: {cluster: prod}}"]),
            onto: "main", expectedTip: nil, message: "start", author: benchAuthor)
        var options = ControllerOptions(
            repository: folder.path + "/origin.git", path: varied ? "manifests" : "", interval: 3600, resync: 3600,
            stateDirectory: folder.path + "/state")
        options.pollInterval = 0.01
        // As `berth controller` runs them: this program is a repack process too (BerthBenchMain).
        options.repackProgram = MirrorRepackProcess.ownExecutable
        return (
            origin, tip,
            Controller(options: options, environment: ["BERTH_LOCAL_PACE": "0"], logger: .init(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        )
    }

    /// Benchmark 5: resident memory with `services` services after `cycles` full reconciles,
    /// with what it is made of: the mapped code of the binary and its libraries (which a process
    /// of 10 services holds as well), and the heap, which holds the local target's state too
    /// (ECS's, in production another machine's); that state is measured on a copy of it.
    static func memory(services: Int, cycles: Int, varied: Bool = false) async throws -> [Figure] {
        let folder = BenchFolder()
        defer { folder.remove() }
        let (_, _, controller) = try setUp(services: services, in: folder, varied: varied)
        guard await controller.pass(full: true, wait: true) else { throw BenchError("the first pass did not converge") }
        let first = Memory.breakdown()
        var samples: [String] = []
        let start = Date()
        for cycle in 1...cycles {
            guard await controller.pass(full: true, wait: true) else { throw BenchError("cycle \(cycle) did not converge") }
            if cycle % max(cycles / 4, 1) == 0 { samples.append(String(format: "%d: %.1f", cycle, Memory.residentMiB())) }
        }
        let seconds = Date().timeIntervalSince(start)
        let last = Memory.breakdown() + String(format: "; libgit2's object cache %.1f MiB raw", Double(LibGit2.cachedBytes) / 1_048_576)
        let target = try await localTargetMiB(in: folder)
        withExtendedLifetime(controller) {}
        let inputs =
            varied ? "\(services / 2) varied svc x 2 envs, \(cycles) full reconciles" : "\(services) services, \(cycles) full reconciles"
        return [
            Figure(name: "5 controller RSS after first sync", inputs: inputs, value: first, seconds: nil),
            Figure(
                name: "5 controller RSS after cycles", inputs: inputs, value: "\(last) (cycle: MiB \(samples.joined(separator: ", ")))", seconds: nil),
            Figure(name: "5 local target's state (in heap)", inputs: inputs, value: String(format: "%.1f MiB", target), seconds: nil),
            Figure(name: "5 full reconcile, mean", inputs: inputs, value: format(seconds / Double(cycles)), seconds: seconds / Double(cycles)),
        ]
    }

    /// The heap a second local target takes to hold the benchmark's state file.
    private static func localTargetMiB(in folder: BenchFolder) async throws -> Double {
        guard
            let file = FileManager.default.enumerator(atPath: folder.path)?.compactMap({ $0 as? String })
                .first(where: { $0.hasSuffix("local-ecs.json") })
        else { throw BenchError("the local target's state file is missing") }
        _ = berth_release_free_memory()
        let before = Memory.heapMiB()
        let copy = LocalECS(stateFile: folder.path + "/" + file, pace: 0)
        _ = try await copy.listServices(.init(cluster: "prod"))
        return withExtendedLifetime(copy) { Memory.heapMiB() - before }
    }

    /// Benchmark 7: a new commit, a fetch and a reconcile that applies it, `cycles` times;
    /// resident memory every `cycles / 10`.
    static func soak(cycles: Int, services: Int = 10, varied: Bool = false) async throws -> [Figure] {
        let folder = BenchFolder()
        defer { folder.remove() }
        var run = try await SoakRun(services: services, varied: varied, in: folder)
        let controller = run.controller
        var samples = [String(format: "0: %.0f", Memory.residentMiB())]
        let start = Date()
        // Each pass's seconds, and resident memory once the first thousandth-of-a-run warm-up is
        // over: the goal compares the last 1,000 cycles with the first 1,000, and growth after that.
        var durations: [Double] = []
        durations.reserveCapacity(cycles)
        // The CPU time of each pass: what berth did, apart from what the machine made it wait.
        var cpu: [Double] = []
        cpu.reserveCapacity(cycles)
        // Its page faults: pages mapped afresh, as libgit2 maps pack windows again.
        var faults: [Double] = []
        faults.reserveCapacity(cycles)
        let window = min(1_000, max(cycles / 2, 1))
        var warm: Double?, warmHeap: Double?, warmFiles: Double?, warmExecutable: Double?, warmAnonymous: Double?
        var warmShared: Double?, warmMirror: Double?
        var warmMappings: [String: (kind: String, kb: Double)] = [:]
        // Cycles that began or ended while a mirror was being repacked (in a process of its own).
        var besideRepack = Set<Int>()
        var control = SoakControl(services: services, varied: varied, every: 2)
        for cycle in 1...cycles {
            if (cycle - 1) % window == 0 { try await control.start() }
            let anyRepack = { [control] in controller.context.compactor.isRepacking || control.isRepacking }
            let repacking = anyRepack()
            let cost = try await run.cycle(cycle)
            durations.append(cost.seconds)
            cpu.append(cost.cpu)
            faults.append(Double(cost.faults))
            if repacking || anyRepack() { besideRepack.insert(durations.count - 1) }
            if cycle % control.every == 0 { try await control.cycle() }
            if cycle % window == 0 || cycle == cycles { try await control.stop() }
            if cycle == window {
                (warm, warmHeap, warmFiles) = (Memory.residentMiB(), Memory.heapMiB(), Memory.fileMiB())
                (warmExecutable, warmAnonymous) = (Memory.executableMiB(), Memory.anonymousMiB())
                (warmShared, warmMirror) = (Memory.sharedMiB(), Memory.mappedMiB(under: controller.mirror.path))
                warmMappings = Memory.anonymousMappings()
            }
            if cycle % max(cycles / 10, 1) == 0 {
                // Progress, with the time since the start: a profiler attached to a stretch of
                // the run can count the cycles it saw.
                FileHandle.standardError.write(
                    Data(String(format: "berth-bench: soak cycle %d of %d at %.1f s\n", cycle, cycles, Date().timeIntervalSince(start)).utf8))
                let packs = (try? Repository.open(at: controller.mirror.path).packCount) ?? -1
                samples.append(
                    String(
                        format: "%d: %.0f (heap %.0f, mapped files %.0f, %d packs; origin %d packs, ~%d loose)", cycle,
                        Memory.residentMiB(), Memory.heapMiB(), Memory.fileMiB(), packs, run.origin.packCount, run.origin.looseObjectEstimate))
            }
        }
        let seconds = Date().timeIntervalSince(start)
        // A repack of the mirror may still run on its own thread: its working memory is not
        // growth, so the last reading waits for it (bounded), and says how long it waited.
        let waited = try await Self.settle(controller)
        if waited > 0.05 {
            // The repack's end let go of the mirror's packs (`HeldRepository`), which the next
            // pass holds again: read as between any two passes, after one.
            _ = await controller.pass(wait: true)
            // As the controller's next pass would (it trims after each).
            _ = berth_release_free_memory()
        }
        let inputs = "\(cycles) commits fetched and applied, \(services)\(varied ? " varied" : "") services"
        let first = Self.mean(durations.prefix(window)), last = Self.mean(durations.suffix(window))
        let growth = Memory.residentMiB() - (warm ?? 0), heapGrowth = Memory.heapMiB() - (warmHeap ?? 0)
        let fileGrowth = Memory.fileMiB() - (warmFiles ?? 0), executableGrowth = Memory.executableMiB() - (warmExecutable ?? 0)
        let anonymousGrowth = Memory.anonymousMiB() - (warmAnonymous ?? 0)
        let sharedGrowth = Memory.sharedMiB() - (warmShared ?? 0)
        let mirrorGrowth = Memory.mappedMiB(under: controller.mirror.path) - (warmMirror ?? 0)
        let mappingGrowth = Memory.anonymousGrowth(since: warmMappings)
        // ECS keeps every revision, and so does the local target, here in this process.
        let target = try await localTargetMiB(in: folder)
        let repacks = Self.besideRepack(durations, besideRepack, window: window, repacks: controller.context.compactor.repacks)
        withExtendedLifetime(controller) {}
        return [
            Figure(name: "7 libgit2 soak RSS (cycle: MiB)", inputs: inputs, value: samples.joined(separator: ", "), seconds: nil),
            Figure(name: "7 fetch+reconcile cycle, mean", inputs: inputs, value: format(seconds / Double(cycles)), seconds: seconds / Double(cycles)),
            Figure(
                name: "7 first / last \(window) cycles, mean", inputs: inputs,
                value: "\(format(first)) / \(format(last)) (\(String(format: "%+.0f", (last / first - 1) * 100)) %; goal within 20 %)", seconds: last),
            // Each window's mean: a steady creep and one slow stretch of the machine look alike
            // in the first and last alone.
            Figure(name: "7 mean of each \(window) cycles", inputs: inputs, value: Self.windowMeans(durations, window) + " ms", seconds: nil),
            // The same windows in CPU time: flat while the means above rise would be waiting or
            // being descheduled; more work and a slower machine both raise it.
            Figure(
                name: "7 CPU time of a cycle, each \(window)", inputs: inputs,
                value: Self.windowMeans(cpu, window, decimals: 1)
                    + " ms (user and system, every thread of the controller's process; the repack's process apart)",
                seconds: nil),
            Figure(
                name: "7 page faults of a cycle, each \(window)", inputs: inputs,
                value: Self.windowMeans(faults, window, scale: 1) + " (minor and major, every thread of the controller's process)",
                seconds: nil),
            Figure(
                name: "7 against a fresh controller beside it", inputs: inputs,
                value: Self.againstControl(cpu: cpu, durations: durations, control: control, window: window),
                seconds: nil),
            Figure(name: "7 cycles beside a repack", inputs: inputs, value: repacks, seconds: nil),
            Figure(
                name: "7 slowest cycles", inputs: inputs,
                value: durations.indices.sorted { durations[$0] > durations[$1] }.prefix(5)
                    .map { String(format: "%d: %.0f ms", $0 + 1, durations[$0] * 1000) }.joined(separator: ", "), seconds: nil),
            Figure(
                name: "7 resident growth after cycle \(window)", inputs: inputs,
                value: String(
                    format:
                        "%.1f MiB (goal < 5 MiB): anonymous %+.1f MiB (heap %+.1f), mapped files %+.1f MiB (this program's code %+.1f)"
                        + ", shared memory (files on tmpfs) %+.1f MiB; of the files, the mirror's packs %+.1f MiB"
                        + "; read after waiting %.1f s for a repack to end",
                    growth, anonymousGrowth, heapGrowth, fileGrowth, executableGrowth, sharedGrowth, mirrorGrowth, waited)
                    + "; anonymous growth by mapping (MiB): " + mappingGrowth,
                seconds: nil),
            Figure(
                name: "7 local target's state at the end", inputs: inputs,
                value: String(format: "%.1f MiB of the heap (every revision, as ECS keeps them)", target), seconds: nil),
        ]
    }

    /// Each `window` values' mean, in milliseconds (`scale` 1000, seconds given): "21, 22, 21".
    private static func windowMeans(_ values: [Double], _ window: Int, decimals: Int = 0, scale: Double = 1000) -> String {
        means(values, window).map { String(format: "%.\(decimals)f", $0 * scale) }.joined(separator: ", ")
    }

    /// The mean of each `window` values, in order (the last window may be shorter).
    private static func means(_ values: [Double], _ window: Int) -> [Double] {
        stride(from: 0, to: values.count, by: window).map { mean(values[$0..<min($0 + window, values.count)]) }
    }

    /// Each window's CPU time and wall time over the control's, the CPU time the control took,
    /// and the goal read against it: how much the last window's ratio is above the first's.
    private static func againstControl(cpu: [Double], durations: [Double], control: SoakControl, window: Int) -> String {
        let pairs = zip(zip(means(cpu, window), means(durations, window)), control.windows).map { run, control in
            (cpu: run.0 / mean(control.cpu), wall: run.1 / mean(control.seconds))
        }
        guard let first = pairs.first, let last = pairs.last else { return "no windows" }
        let ratios = { (values: [Double]) in values.map { String(format: "%.2f", $0) }.joined(separator: ", ") }
        let controlCPU = control.windows.map { String(format: "%.1f", mean($0.cpu) * 1000) }.joined(separator: ", ")
        return "CPU time over the control's, each \(window): " + ratios(pairs.map(\.cpu))
            + String(format: "; the last window against the first %+.0f %% (goal within 20 %%)", (last.cpu / first.cpu - 1) * 100)
            + "; wall time over the control's: " + ratios(pairs.map(\.wall))
            + String(format: " (last against first %+.0f %%)", (last.wall / first.wall - 1) * 100)
            + "; the control's CPU time, ms: \(controlCPU) (a controller started afresh each window, "
            + "one cycle after every \(control.every) of the run's)"
    }

    /// The mean of `values`, 0 for none.
    private static func mean(_ values: some Collection<Double>) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// Waits (at most 300 s) for a repack of `controller`'s mirror to end, and says how long.
    static func settle(_ controller: Controller) async throws -> TimeInterval {
        let settling = Date()
        while controller.context.compactor.isRunning && Date().timeIntervalSince(settling) < 300 {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        return Date().timeIntervalSince(settling)
    }

    /// "812 of 10,000 cycles (per 1,000: …), mean 24 ms against 20 ms for the others; 31
    /// repacks, 95.2 s in all, the longest 33.8 s": whether a window's mean is the repacks'.
    private static func besideRepack(_ durations: [Double], _ beside: Set<Int>, window: Int, repacks: MirrorCompactor.Repacks) -> String {
        let with = mean(beside.map { durations[$0] }) * 1000
        let without = mean(durations.indices.filter { !beside.contains($0) }.map { durations[$0] }) * 1000
        let perWindow = stride(from: 0, to: durations.count, by: window).map { start in
            String(beside.filter { $0 >= start && $0 < start + window }.count)
        }
        return "\(beside.count) of \(durations.count) cycles (per \(window): \(perWindow.joined(separator: ", ")))"
            + String(
                format: ", mean %.0f ms against %.0f ms for the others; %d repacks, %.1f s in all, the longest %.1f s", with, without,
                repacks.count, repacks.seconds, repacks.longest)
    }
}

/// Benchmark 7's set-up and its cycle: a new commit on the origin, then the controller's pass
/// that fetches and applies it, timed.
struct SoakRun {
    let services: Int
    /// Services of `VariedManifests` (half as many in each of its two environments), whose
    /// cycles pin an image in one environment or, every tenth, change a base in both.
    let varied: Bool
    let originPath: String
    let controller: Controller
    private(set) var origin: Repository
    private var tip: ObjectID

    init(services: Int, varied: Bool = false, in folder: BenchFolder) async throws {
        let (origin, tip, controller) = try ControllerBenchmarks.setUp(services: services, in: folder, varied: varied)
        (self.services, self.varied, self.origin, self.tip, self.controller, originPath) = (services, varied, origin, tip, controller, origin.path)
        guard await controller.pass(full: true, wait: true) else { throw BenchError("the first pass did not converge") }
    }

    /// Cycle `number`: its seconds, and the CPU seconds of this process meanwhile (what berth
    /// did, apart from what the machine made it wait) and its page faults.
    mutating func cycle(_ number: Int) async throws -> (seconds: Double, cpu: Double, faults: Int) {
        let (changes, message) = change(number)
        // The origin is another process in production: a handle kept open here would map
        // every pack the controller pushes to it, and be counted as the controller's memory.
        origin = try Repository.open(at: originPath)
        tip = try origin.commit(changes: changes, onto: "main", expectedTip: tip, message: message, author: benchAuthor)
        // Only the controller's pass is timed: the commit stands in for a push.
        let began = Date(), usage = processUsage()
        guard await controller.pass(wait: true) else { throw BenchError("cycle \(number) did not converge") }
        let after = processUsage()
        return (Date().timeIntervalSince(began), after.cpu - usage.cpu, after.faults - usage.faults)
    }

    /// What cycle `number` commits, and its message.
    private func change(_ number: Int) -> ([FileChange], String) {
        guard varied else {
            let service = "svc\(number % services)"
            return ([.write("environments/prod/\(service).yaml", "images: {app: \"r/\(service):\(number)\"}\n")], "\(service) \(number)")
        }
        let perEnvironment = max(services / VariedManifests.environments.count, 1)
        if number % 10 == 0 {
            let index = (number / 10) % perEnvironment
            return (VariedManifests.service(index, revision: number / 10, root: "manifests"), "svc\(index) base \(number)")
        }
        let index = (number / VariedManifests.environments.count) % perEnvironment
        let env = VariedManifests.environments[number % VariedManifests.environments.count]
        return (
            [.write("manifests/environments/\(env)/svc\(index).yaml", VariedManifests.overlay(index, env: env, build: number))],
            "\(env)/svc\(index) \(number)"
        )
    }
}
