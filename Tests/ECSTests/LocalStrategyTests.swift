import AWS
@testable import ECS
import BerthTestSupport
import ECSModel
import Foundation
import Synchronization
import Testing

/// ECS's own blue/green, linear and canary deployments on the local target, on a clock the
/// test moves: each lifecycle stage, the traffic steps, the bake, and a failing hook.
@Suite struct LocalStrategyTests {
    /// A service on revision 1 (created with `created`, or `configuration`), then updated to
    /// revision 2 with `configuration`; pace 8 s, so each stage but the waits lasts 1 s and an
    /// ECS minute 8 s. `failingHook`: hooks at that stage fail.
    static func deploying(
        _ configuration: ECSAPI.DeploymentConfiguration, clock: TestClock, created: ECSAPI.DeploymentConfiguration? = nil,
        failingHook: String? = nil
    ) async throws -> LocalECS {
        let ecs = LocalECS(stateFile: nil, pace: 8, now: { clock.now })
        if let failingHook { try await ecs.setHook(stage: failingHook, failing: true) }
        _ = try await ecs.createCluster(ECSAPI.CreateClusterRequest(clusterName: "c"))
        for image in ["app:1", "app:2"] {
            _ = try await ecs.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: "web", containerDefinitions: [ECSAPI.ContainerDefinition(name: "app", image: image, memory: 64)]))
        }
        _ = try await ecs.createService(
            ECSAPI.CreateServiceRequest(
                cluster: "c", serviceName: "web", taskDefinition: "web:1", desiredCount: 1,
                deploymentConfiguration: created ?? configuration))
        clock.advance(60)
        _ = try await ecs.updateService(
            ECSAPI.UpdateServiceRequest(
                cluster: "c", service: "web", taskDefinition: "web:2",
                deploymentConfiguration: configuration))
        return ecs
    }

    static func current(_ ecs: LocalECS) async throws -> (ECSAPI.Service, ECSAPI.ServiceDeployment) {
        let service = try #require(try await ecs.describeServices(cluster: "c", names: ["web"]).services?.first)
        let deployment = try #require(
            try await ecs.describeServiceDeployments(
                ECSAPI.DescribeServiceDeploymentsRequest(
                    serviceDeploymentArns: [service.currentServiceDeployment ?? ""])
            ).serviceDeployments?.first)
        return (service, deployment)
    }

    @Test func blueGreenGoesThroughEachStageAndBakes() async throws {
        let clock = TestClock()
        let ecs = try await Self.deploying(ECSAPI.DeploymentConfiguration(strategy: "BLUE_GREEN", bakeTimeInMinutes: 2), clock: clock)
        var seen: [String] = []
        for _ in 0..<80 {
            let (service, deployment) = try await Self.current(ecs)
            if let stage = deployment.lifecycleStage, seen.last != stage { seen.append(stage) }
            if deployment.status == "SUCCESSFUL" {
                #expect(service.taskDefinition?.hasSuffix("web:2") == true)
                break
            }
            #expect(service.deployments?.first { $0.status == "PRIMARY" }?.rolloutState == "IN_PROGRESS")
            clock.advance(0.5)
        }
        #expect(
            seen == [
                "RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT",
                "PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP",
            ], "\(seen)")
        // 10 stages of 1 s and a bake of 2 ECS minutes (16 s): done after 26 s, not before.
        #expect(try await Self.current(ecs).1.status == "SUCCESSFUL")
    }

    @Test func linearAndCanaryMoveTrafficInSteps() async throws {
        for (configuration, expected) in [
            (
                ECSAPI.DeploymentConfiguration(
                    strategy: "LINEAR", linearConfiguration: ECSAPI.LinearConfiguration(stepPercent: 25, stepBakeTimeInMinutes: 1)),
                [25.0, 50, 75, 100]
            ),
            (
                ECSAPI.DeploymentConfiguration(
                    strategy: "CANARY", canaryConfiguration: ECSAPI.CanaryConfiguration(canaryPercent: 10, canaryBakeTimeInMinutes: 1)),
                [10.0, 100]
            ),
        ] {
            let clock = TestClock()
            let ecs = try await Self.deploying(configuration, clock: clock)
            var weights: [Double] = []
            for _ in 0..<200 {
                let (_, deployment) = try await Self.current(ecs)
                if deployment.lifecycleStage == "PRODUCTION_TRAFFIC_SHIFT",
                    let weight = deployment.targetServiceRevision?.requestedProductionTrafficWeight,
                    weights.last != weight
                {
                    weights.append(weight)
                }
                if deployment.status == "SUCCESSFUL" { break }
                clock.advance(0.5)
            }
            #expect(weights == expected, "\(configuration.strategy ?? ""): \(weights)")
            #expect(try await Self.current(ecs).1.status == "SUCCESSFUL")
        }
    }

    @Test(arguments: [
        ECSAPI.DeploymentConfiguration(strategy: "BLUE_GREEN"),
        ECSAPI.DeploymentConfiguration(strategy: "CANARY", canaryConfiguration: ECSAPI.CanaryConfiguration(canaryPercent: 10)),
        ECSAPI.DeploymentConfiguration(strategy: "LINEAR", linearConfiguration: ECSAPI.LinearConfiguration(stepPercent: 20)),
    ])
    func aFailingHookRollsTrafficBack(_ strategy: ECSAPI.DeploymentConfiguration) async throws {
        let clock = TestClock()
        let hook = ECSAPI.DeploymentLifecycleHook(
            hookTargetArn: "arn:aws:lambda:us-east-1:000000000000:function:smoke",
            roleArn: "arn:aws:iam::000000000000:role/hooks", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"])
        // Created without the hook (the first deployment has no source to go back to), then given it.
        var hooked = strategy
        hooked.lifecycleHooks = [hook]
        let ecs = try await Self.deploying(hooked, clock: clock, created: strategy, failingHook: "POST_TEST_TRAFFIC_SHIFT")
        clock.advance(5.5)  // into POST_TEST_TRAFFIC_SHIFT
        #expect(try await Self.current(ecs).1.lifecycleStage == "POST_TEST_TRAFFIC_SHIFT")
        clock.advance(1)
        let service = try #require(try await ecs.describeServices(cluster: "c", names: ["web"]).services?.first)
        #expect(service.taskDefinition?.hasSuffix("web:1") == true)
        let failed = try #require(service.deployments?.first { $0.taskDefinition?.hasSuffix("web:2") == true })
        #expect(failed.rolloutState == "FAILED")
        #expect(failed.rolloutStateReason?.contains("failed at POST_TEST_TRAFFIC_SHIFT") == true, "\(failed)")
        let briefs = try await ecs.listServiceDeployments(ECSAPI.ListServiceDeploymentsRequest(service: "web", cluster: "c")).serviceDeployments ?? []
        #expect(briefs.contains { $0.status == "ROLLBACK_SUCCESSFUL" })
    }
}
