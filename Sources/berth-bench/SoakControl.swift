import Foundation

/// Benchmark 7's control: a fresh controller whose cycles alternate with the long run's (one
/// after every `every` of them), started again at each window. This machine's speed moves by a
/// third from one stretch of a run to another, and a control timed after the run saw another
/// stretch than the last window did; one timed at the same moments says whether the long run
/// got slower than a controller without its history, on the same machine at the same time.
struct SoakControl {
    let services: Int
    let varied: Bool
    let every: Int
    private var run: SoakRun?
    private var folder: BenchFolder?
    private var number = 0
    /// Each window's control cycles: their seconds and CPU seconds.
    private(set) var windows: [(seconds: [Double], cpu: [Double])] = []

    init(services: Int, varied: Bool, every: Int) {
        (self.services, self.varied, self.every) = (services, varied, every)
    }

    /// Whether the control's mirror is being repacked now (in a process of its own).
    var isRepacking: Bool { run?.controller.context.compactor.isRepacking ?? false }

    /// A fresh controller for the window that begins.
    mutating func start() async throws {
        let folder = BenchFolder()
        run = try await SoakRun(services: services, varied: varied, in: folder)
        (self.folder, number) = (folder, 0)
        windows.append(([], []))
    }

    /// One cycle of the control, timed as the long run's are.
    mutating func cycle() async throws {
        guard var run else { return }
        number += 1
        let cost = try await run.cycle(number)
        self.run = run
        windows[windows.count - 1].seconds.append(cost.seconds)
        windows[windows.count - 1].cpu.append(cost.cpu)
    }

    /// Ends the window's controller before the run's memory is read: a repack of its mirror
    /// first (bounded), then its folder.
    mutating func stop() async throws {
        if let run { _ = try await ControllerBenchmarks.settle(run.controller) }
        run = nil
        folder?.remove()
        folder = nil
    }
}
