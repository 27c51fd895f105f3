import Canonical
import ECSModel
import Foundation
import Manifests
@testable import Plan
import Records
import Testing

/// The planner on plain values: what git wants against an `Observation`, no target involved.
@Suite struct PlannerTests {
    let environment: Environment
    let want: DesiredService

    init() throws {
        let files = ManifestFiles(files: manifests(services: 1).mapValues { ManifestFiles.Content.data(Array($0.utf8)) })
        let loaded = ManifestLoader().load(files)
        environment = try #require(loaded.environment("staging"))
        want = try DesiredService(try #require(loaded.rendered(environment: "staging").first))
    }

    /// What ECS answers for the service git wants, running `arn`.
    func live(running arn: String?, rollout: String = "COMPLETED") throws -> ECSAPI.Service {
        var service = try JSONDecoder().decode(ECSAPI.Service.self, from: JSONEncoder().encode(try want.create))
        service.taskDefinition = arn
        service.status = "ACTIVE"
        service.deployments = [ECSAPI.Deployment(id: "ecs-svc/1", status: "PRIMARY", rolloutState: rollout)]
        return service
    }

    func plan(_ observed: Observation, recorded: RecordedSpecs = [:], last: DeploymentRecord? = nil) throws -> ServicePlan {
        try #require(
            Planner.plan(
                environment: environment, desired: [want], observed: observed, commit: nil,
                lastConverged: { _ in last }, recordedSpecs: recorded
            ).services.first)
    }

    @Test func aServiceECSDoesNotRunIsCreated() throws {
        let plan = try plan(Observation())
        #expect(plan.action == .create)
        #expect(plan.desiredImages == want.rendered.images)
    }

    @Test func aRevisionBerthRecordedForThisSpecNeedsNoTaskDefinition() throws {
        let arn = "arn:aws:ecs:us-east-1:000000000000:task-definition/\(want.rendered.family):3"
        let plan = try plan(Observation(services: [want.rendered.serviceName: try live(running: arn)]), recorded: [arn: want.specHash])
        #expect(plan.action == .inSync, "\(plan.settingsChanges)")
        #expect(plan.liveDeploymentId == "ecs-svc/1")
        #expect(plan.live?.images == want.rendered.images)
    }

    @Test func aDifferentLiveTaskDefinitionIsAnUpdateAndDriftWhenGitDidNotMove() throws {
        let arn = "arn:aws:ecs:us-east-1:000000000000:task-definition/\(want.rendered.family):4"
        var edited = try want.register
        edited.containerDefinitions?[0].image = "registry.example.com/app:hotfix"
        let entry = TaskDefinitionCache.Entry(
            definition: ECSAPI.TaskDefinition(containerDefinitions: edited.containerDefinitions), tags: [:],
            canonical: TaskDefinitionCanonical.canonical(edited))
        let observed = Observation(services: [want.rendered.serviceName: try live(running: arn)], taskDefinitions: [arn: entry])
        let update = try plan(observed)
        #expect(update.action == .update)
        #expect(update.taskDefinitionChanges.map(\.path).contains { $0.contains("image") }, "\(update.taskDefinitionChanges)")
        #expect(update.live?.images["app"] == "registry.example.com/app:hotfix")
        #expect(!update.drift)

        let converged = DeploymentRecord(
            environment: "staging", service: want.name, taskDefinitionArn: arn, specHash: want.specHash, settingsHash: want.settingsHash,
            deploymentId: nil, started: Date(timeIntervalSince1970: 0), finished: nil, outcome: .converged, reason: nil, target: "local:default")
        #expect(try plan(observed, last: converged).drift)
    }

    @Test func anUnobservedTaskDefinitionIsAnErrorNotInSync() throws {
        let arn = "arn:aws:ecs:us-east-1:000000000000:task-definition/\(want.rendered.family):5"
        #expect(throws: ReconcileError.self) { try plan(Observation(services: [want.rendered.serviceName: try live(running: arn)])) }
    }

    @Test func theStageOfADeploymentShowsOnlyWhileItRuns() throws {
        let arn = "arn:aws:ecs:us-east-1:000000000000:task-definition/\(want.rendered.family):3"
        for (rollout, shown) in [("IN_PROGRESS", true), ("COMPLETED", false)] {
            let observed = Observation(
                services: [want.rendered.serviceName: try live(running: arn, rollout: rollout)],
                stages: [want.rendered.serviceName: "BLUE_GREEN at BAKE_TIME, production traffic 100%"])
            #expect((try plan(observed, recorded: [arn: want.specHash]).live?.stage != nil) == shown)
        }
    }
}
