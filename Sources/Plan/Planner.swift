import Canonical
import Foundation
import ECS
import ECSModel
import Manifests
import Records

/// Compares what git wants with what ECS runs (`Observation`, read by `Observer`): a pure
/// function (the time a freeze is judged at is given), so every way a service can differ is
/// testable without a target.
package enum Planner {
    /// With `recordedSpecs` (task definition ARN to the spec hash berth registered it for, from
    /// its records), a service running the revision berth registered for exactly what git wants
    /// is compared without its task definition: a revision never changes once registered.
    package static func plan(
        environment: Environment, desired: [DesiredService], observed: Observation, commit: String?,
        lastConverged: (String) -> DeploymentRecord? = { _ in nil }, recordedSpecs: RecordedSpecs = [:], now: Date = Date()
    ) throws -> EnvironmentPlan {
        let services = try desired.map { want in
            try servicePlan(
                want, live: observed.services[want.rendered.serviceName], environment: environment, observed: observed,
                last: lastConverged(want.name), recordedSpecs: recordedSpecs)
        }
        var plan = EnvironmentPlan(
            environment: environment.name, commit: commit, target: TargetDescription.of(environment.target),
            services: services, frozen: environment.freeze.flatMap { $0.isActive(at: now) ? $0.description : nil })
        if environment.policy.prune, environment.review == nil { plan.pruned = observed.prunable }
        return plan
    }

    static func servicePlan(
        _ want: DesiredService, live service: ECSAPI.Service?, environment: Environment, observed: Observation,
        last: DeploymentRecord?, recordedSpecs: RecordedSpecs
    ) throws -> ServicePlan {
        guard let service else {
            var plan = ServicePlan(
                service: want.name, serviceName: want.rendered.serviceName, family: want.rendered.family,
                action: .create, taskDefinitionChanges: [], settingsChanges: [],
                liveTaskDefinitionArn: nil, liveDeploymentId: nil, specHash: want.specHash, drift: false)
            plan.desiredImages = want.rendered.images
            return plan
        }
        let cluster = environment.target.cluster
        if let review = environment.review, !review.owns(Tags.map(service.tags)) {
            // Same name, not this review environment's: never adopted, changed or deleted.
            throw ReconcileError(
                .notOwned,
                "service \(want.rendered.serviceName) in cluster \(cluster) is not tagged as review environment "
                    + "\(review.name) (instance \(review.instance)); berth leaves it alone and applies nothing to \(review.name)")
        }
        var tdChanges: [FieldChange] = []
        var liveImages: [String: String] = [:]
        if let arn = service.taskDefinition, recordedSpecs.isRecorded(arn, as: want.specHash) {
            liveImages = want.rendered.images
        } else if let arn = service.taskDefinition {
            guard let entry = observed.taskDefinitions[arn] else {
                throw ReconcileError(.incompleteAnswer, "task definition \(arn) of service \(want.rendered.serviceName) was not observed")
            }
            tdChanges = FieldDiff.full(live: entry.canonical, desired: try want.canonicalTaskDefinition)
            for container in entry.definition.containerDefinitions ?? [] { liveImages[container.name ?? ""] = container.image ?? "" }
        } else {
            // Nothing runs yet (an EXTERNAL service before its controller made a task set):
            // git's task definition is still to be registered, never "in sync".
            tdChanges = [FieldChange(path: "taskDefinition", kind: .added, before: nil, after: .string(want.rendered.family))]
        }
        let codeDeploy = service.deploymentController?.type == "CODE_DEPLOY"
        var settingsChanges =
            codeDeploy
            ? FieldDiff.subset(
                live: ServiceCanonical.withoutCodeDeployOwned(ServiceCanonical.live(service)),
                desired: ServiceCanonical.withoutCodeDeployOwned(want.canonicalSettings))
            : service.deploymentController?.type == "EXTERNAL"
                ? FieldDiff.subset(
                    live: ServiceCanonical.withoutTaskSetLevel(ServiceCanonical.live(service)),
                    desired: ServiceCanonical.withoutTaskSetLevel(want.canonicalSettings))
                : FieldDiff.subset(live: ServiceCanonical.live(service), desired: want.canonicalSettings)
        if environment.policy.prune {
            // A tag git set once and no longer sets is removed under prune: a change to show.
            let live = Tags.map(service.tags)
            settingsChanges += ServiceTags.changes(
                live: live, user: want.tags, environment: environment.name, service: want.name,
                prune: true
            ).untag.map {
                FieldChange(path: "tags.\($0)", kind: .removed, before: live[$0].map(JSONValue.string), after: nil)
            }
        }
        let changed = !tdChanges.isEmpty || !settingsChanges.isEmpty
        let drift = changed && last?.specHash == want.specHash && last?.settingsHash == want.settingsHash
        let primary = service.deployments?.first { $0.status == ECSStatus.primary }
        var plan = ServicePlan(
            service: want.name, serviceName: want.rendered.serviceName, family: want.rendered.family,
            action: changed ? .update : .inSync, taskDefinitionChanges: tdChanges,
            settingsChanges: settingsChanges, liveTaskDefinitionArn: service.taskDefinition,
            liveDeploymentId: primary?.id, specHash: want.specHash, drift: drift)
        plan.desiredImages = want.rendered.images
        plan.deploymentController = service.deploymentController?.type
        plan.liveServiceArn = service.serviceArn
        plan.liveTags = Tags.map(service.tags)
        plan.live = LiveSummary(
            runningCount: service.runningCount ?? 0, desiredCount: service.desiredCount ?? 0,
            pendingCount: service.pendingCount ?? 0, rolloutState: primary?.rolloutState, images: liveImages)
        if plan.live?.rolloutState == ECSStatus.inProgress { plan.live?.stage = observed.stages[want.rendered.serviceName] }
        return plan
    }
}
