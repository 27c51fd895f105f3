import BerthTestSupport
import ECS
import Foundation
@testable import Plan
@testable import Apply
@testable import Review
import Records
import Synchronization
import Testing

/// ECS's own blue/green, linear and canary deployments, applied and followed on the local
/// target: converged only after the bake, rolled back by a failing lifecycle hook, and the
/// stage said while it runs.
@Suite struct NativeStrategyTests {
    static func files(image: String = "registry.example.com/app:1.0", configuration: String) -> [String: String] {
        manifests(services: 1, image: image, overlay: "service:\n  desiredCount: 1\n  deploymentConfiguration: \(configuration)")
    }

    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    static func apply(_ repo: ManifestRepo, progress lines: Lines = Lines()) async throws -> DeploymentRecord? {
        try await repo.reconciler().apply("staging", options: ApplyOptions(timeout: 30, pollInterval: 0.02)) { line in
            lines.append(line)
        }.1.first?.record
    }

    /// Each strategy from a rolling service: the commit that sets it deploys with it. The
    /// waits are long enough (pace 0.4 s: an ECS minute is 0.4 s) for a loaded machine's polls:
    /// with the whole suite running on two cores, a canary stage of 1.2 s once passed between
    /// two polls.
    @Test func eachStrategyIsFollowedToSuccessAndSaysItsStage() async throws {
        for (configuration, line, atLeast) in [
            ("{strategy: BLUE_GREEN, bakeTimeInMinutes: 5}", "BLUE_GREEN at BAKE_TIME", 2.0),
            (
                "{strategy: LINEAR, linearConfiguration: {stepPercent: 50, stepBakeTimeInMinutes: 6}}",
                "LINEAR at PRODUCTION_TRAFFIC_SHIFT, production traffic 50%", 2.4
            ),
            (
                "{strategy: CANARY, canaryConfiguration: {canaryPercent: 20, canaryBakeTimeInMinutes: 6}}",
                "CANARY at PRODUCTION_TRAFFIC_SHIFT, production traffic 20%", 2.4
            ),
        ] {
            let repo = try ManifestRepo(manifests(services: 1), environment: ["BERTH_LOCAL_PACE": "0.4"])
            #expect(try await repo.apply("staging").allSatisfy(\.succeeded))
            _ = try repo.commit(Self.files(image: "registry.example.com/app:2.0", configuration: configuration), "2.0")
            let lines = Lines()
            let record = try #require(try await Self.apply(repo, progress: lines))
            #expect(record.outcome == .converged, "\(configuration): \(record)")
            // Not converged before the strategy's waits were over.
            #expect((record.finished ?? record.started).timeIntervalSince(record.started) >= atLeast, "\(record)")
            #expect(lines.all.contains { $0.contains(line) }, "\(configuration): \(lines.all)")
        }
    }

    @Test func aFailingLifecycleHookRollsBack() async throws {
        let configuration = """
            {strategy: BLUE_GREEN, lifecycleHooks: [{hookTargetArn: "arn:aws:lambda:us-east-1:000000000000:function:smoke", \
            roleArn: "arn:aws:iam::000000000000:role/hooks", lifecycleStages: [POST_TEST_TRAFFIC_SHIFT]}]}
            """
        let repo = try ManifestRepo(Self.files(configuration: configuration), environment: ["BERTH_LOCAL_PACE": "0.4"])
        #expect(try await repo.apply("staging").allSatisfy(\.succeeded))
        try await LocalECS(stateFile: repo.folder.path + "/.berth/local-ecs.json").setHook(stage: "POST_TEST_TRAFFIC_SHIFT", failing: true)
        _ = try repo.commit(Self.files(image: "registry.example.com/app:2.0", configuration: configuration), "2.0")
        let record = try await Self.apply(repo)
        #expect(record?.outcome == .rolledBack, "\(String(describing: record))")
        #expect(record?.reason?.contains("failed at POST_TEST_TRAFFIC_SHIFT") == true, "\(String(describing: record?.reason))")
        let live = try await repo.localECS().describeServices(cluster: "staging", names: ["svc0"]).services?.first
        #expect(live?.taskDefinition?.hasSuffix(":1") == true)
    }

    @Test func statusShowsTheStage() async throws {
        let configuration = "{strategy: BLUE_GREEN, bakeTimeInMinutes: 30}"
        let repo = try ManifestRepo(Self.files(configuration: configuration), environment: ["BERTH_LOCAL_PACE": "0.2"])
        #expect(try await repo.apply("staging").allSatisfy(\.succeeded))
        _ = try repo.commit(Self.files(image: "registry.example.com/app:2.0", configuration: configuration), "2.0")
        _ = try await repo.apply("staging", wait: false)
        let plan = try await repo.reconciler(fresh: true).plan("staging")
        let stage = try #require(plan.services.first?.live?.stage)
        #expect(stage.hasPrefix("BLUE_GREEN at "), "\(stage)")
    }
}
