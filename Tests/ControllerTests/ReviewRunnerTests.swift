import BerthTestSupport
import Foundation
import Git
import Logging
import Manifests
import Plan
import Synchronization
import Testing
@testable import Controller

/// The review runner alone, on the local target: no controller, scheduler or lease around it.
/// It is given the head and its manifests, and a fence; it decides whether to run at all.
@Suite struct ReviewRunnerTests {
    /// A runner on `scenario`'s origin, and the head it is asked about after each fetch.
    final class Subject: Sendable {
        let runner: ReviewRunner
        let context: ControllerContext
        /// Fence calls (one before every write) and whether the fence lets the write through.
        let writes = Mutex(0)
        let open = Mutex(true)

        init(_ scenario: ReviewScenario) {
            let options = ControllerOptions(
                repository: scenario.folder.path + "/origin.git", stateDirectory: scenario.folder.path + "/state", pollInterval: 0.05)
            context = ControllerContext.make(options: options, environment: scenario.environment, logger: Logger(label: "test"), now: { Date() })
            runner = ReviewRunner(context: context)
        }

        /// Fetches, then asks the runner to start, and waits for whatever it started.
        func start(everything: Bool = false) async throws {
            let head = try context.mirror.sync(branch: "main")
            let files = try ManifestFiles.read(repository: try Repository.open(at: context.mirror.path), commit: head, path: "")
            let loaded = ManifestLoader().load(files)
            let template = try #require(loaded.config?.review)
            await runner.start(template, loaded: loaded, head: head, everything: everything) {
                self.writes.withLock { $0 += 1 }
                guard self.open.withLock({ $0 }) else { throw ReconcileError(.leaseLost, "lost the lease on staging (test)") }
            }
            await runner.wait()
        }

        /// Marks the status page so a test can tell whether a run wrote it since.
        func mark() async { await context.status.setReviews([], error: "marked") }
        var marked: Bool { get async { await context.status.current.reviewError == "marked" } }
    }

    @Test func aRunHappensWhenTheBranchesOrHeadChangeOrAResyncAsks() async throws {
        let scenario = try await ReviewScenario(.local)
        let subject = Subject(scenario)
        try scenario.pushBranch("review/feature-x")
        try await subject.start()
        let review = try #require(await subject.context.status.current.reviews.first)
        #expect(review.name == "review-feature-x" && review.state == .ready)
        let written = subject.writes.withLock { $0 }
        #expect(written > 0)

        // Nothing changed: no run at all.
        await subject.mark()
        try await subject.start()
        #expect(await subject.marked)
        // A resync looks again, and writes nothing to what is in sync.
        try await subject.start(everything: true)
        #expect(await !subject.marked)
        #expect(subject.writes.withLock { $0 } == written)
        // The branch moves: a run, which brings it up to date.
        try scenario.pushBranch("review/feature-x", image: "registry.example.com/api:feature-2")
        await subject.mark()
        try await subject.start()
        #expect(await !subject.marked)
        #expect(subject.writes.withLock { $0 } > written)
        #expect(
            await subject.context.status.current.reviews.first?.commit == (try scenario.origin.referenceTarget("refs/heads/review/feature-x"))?.hex)
    }

    @Test func aFenceThatFailsWritesNothingAndTheNextStartTriesAgain() async throws {
        let scenario = try await ReviewScenario(.local)
        let subject = Subject(scenario)
        try scenario.pushBranch("review/feature-x")
        subject.open.withLock { $0 = false }
        try await subject.start()
        let refused = try #require(await subject.context.status.current.reviews.first)
        #expect(refused.state == .failed && refused.reason?.contains("lost the lease") == true, "\(refused)")
        let services = try await scenario.everything().services
        #expect(!services.keys.contains { $0.contains("review-feature-x") })

        // Same branches, same head: what was left to do makes the next start run.
        subject.open.withLock { $0 = true }
        try await subject.start()
        #expect(await subject.context.status.current.reviews.first?.state == .ready)
        #expect(try await scenario.everything().services.keys.contains { $0.hasSuffix("/review-feature-x-api") })
    }
}
