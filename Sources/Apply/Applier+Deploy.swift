import AWS
import ECS
import ECSModel
import Foundation
import Git
import Manifests
import Plan
import Records

/// Starting a rollout: creating or updating the service, the way its deployment controller
/// takes it (docs/reconcile.md, "Deployment controllers").
extension Applier {
    /// Creates or updates the service to run `taskDefinitionArn` with the manifest's settings,
    /// and tags it as git says (UpdateService takes no tags).
    func updateService(
        _ plan: ServicePlan, _ want: DesiredService, environment: Environment, taskDefinitionArn: String,
        commit: ObjectID
    ) async throws -> Started {
        let started = try await startRollout(plan, want, environment: environment, taskDefinitionArn: taskDefinitionArn, commit: commit)
        if plan.action != .create, let arn = plan.liveServiceArn {
            let (tag, untag) = ServiceTags.changes(
                live: plan.liveTags, user: want.tags, environment: environment.name,
                service: want.name, prune: environment.policy.prune)
            if !tag.isEmpty {
                try await hooks.beforeWrite?()
                _ = try await client.tagResource(ECSAPI.TagResourceRequest(resourceArn: arn, tags: tag))
            }
            if !untag.isEmpty {
                try await hooks.beforeWrite?()
                _ = try await client.untagResource(ECSAPI.UntagResourceRequest(resourceArn: arn, tagKeys: untag))
                progress("\(environment.name)/\(want.name): removed tags git no longer sets (\(untag.joined(separator: ", ")))")
            }
        }
        return started
    }

    func startRollout(
        _ plan: ServicePlan, _ want: DesiredService, environment: Environment, taskDefinitionArn: String,
        commit: ObjectID
    ) async throws -> Started {
        let begun = now()
        if plan.action == .create {
            var create = try want.create
            create.taskDefinition = taskDefinitionArn
            create.tags = ServiceTags.create(user: create.tags, environment: environment.name, service: want.name)
            let controller = create.deploymentController?.type ?? "ECS"
            if controller == "EXTERNAL" {
                // Its task sets carry these (ServiceCanonical.taskSetLevel), made by the controller that deploys it.
                create.taskDefinition = nil; create.launchType = nil; create.platformVersion = nil; create.networkConfiguration = nil
                create.loadBalancers = nil; create.serviceRegistries = nil; create.capacityProviderStrategy = nil
            }
            try await hooks.beforeWrite?()
            let response = try await client.createService(create)
            guard response.service?.serviceName != nil else {
                throw ReconcileError(
                    .incompleteAnswer,
                    "ecs CreateService for \(want.rendered.serviceName) answered without the service",
                    next: "look at the cluster before applying again")
            }
            progress("\(environment.name)/\(want.name): created service \(want.rendered.serviceName)")
            switch controller {
            case "EXTERNAL":
                var started = Started(want: want, taskDefinitionArn: taskDefinitionArn, expectation: nil, started: begun)
                started.outcome = (.registered, Self.externalReason(taskDefinitionArn))
                return started
            case "CODE_DEPLOY":
                // ECS starts the service with a primary task set, not a deployment.
                return Started(
                    want: want, taskDefinitionArn: taskDefinitionArn,
                    expectation: .init(
                        serviceName: want.rendered.serviceName, deploymentId: nil, taskDefinitionArn: taskDefinitionArn,
                        primaryTaskSet: true),
                    started: begun)
            default:
                let primary = response.service?.deployments?.first { $0.status == ECSStatus.primary }
                return Started(
                    want: want, taskDefinitionArn: taskDefinitionArn,
                    expectation: .init(serviceName: want.rendered.serviceName, deploymentId: primary?.id, taskDefinitionArn: taskDefinitionArn),
                    started: begun)
            }
        }
        switch plan.deploymentController {
        case "CODE_DEPLOY":
            return try await deployThroughCodeDeploy(plan, want, environment: environment, taskDefinitionArn: taskDefinitionArn, commit: commit)
        case "EXTERNAL":
            return try await updateExternal(plan, want, environment: environment, taskDefinitionArn: taskDefinitionArn)
        default:
            break
        }
        var update = try ServiceUpdate.request(from: want.create)
        if plan.taskDefinitionChanged { update.taskDefinition = taskDefinitionArn }
        let response = try await updateService(update, want)
        progress("\(environment.name)/\(want.name): updated service \(want.rendered.serviceName)")
        let primary = response.service?.deployments?.first { $0.status == ECSStatus.primary }
        let newDeployment = primary?.id != plan.liveDeploymentId || plan.taskDefinitionChanged
        return Started(
            want: want, taskDefinitionArn: taskDefinitionArn,
            expectation: newDeployment
                ? .init(
                    serviceName: want.rendered.serviceName, deploymentId: primary?.id,
                    taskDefinitionArn: taskDefinitionArn) : nil,
            started: begun, drifted: Self.drifted(plan))
    }

    /// UpdateService, refusing an answer without the service.
    func updateService(_ update: ECSAPI.UpdateServiceRequest, _ want: DesiredService) async throws -> ECSAPI.UpdateServiceResponse {
        try await hooks.beforeWrite?()
        let response = try await client.updateService(update)
        guard response.service?.serviceName != nil else {
            throw ReconcileError(
                .incompleteAnswer,
                "ecs UpdateService for \(want.rendered.serviceName) answered without the service", next: "apply again to see where it stands")
        }
        return response
    }

    /// A self-heal's drifted fields, for its record.
    static func drifted(_ plan: ServicePlan) -> [String]? {
        plan.drift ? plan.taskDefinitionChanges.map(\.path) + plan.settingsChanges.map { "service.\($0.path)" } : nil
    }

    /// An `EXTERNAL` service: something else (a controller of task sets) deploys it. berth
    /// registers the task definition, updates what ECS lets it update, and records the
    /// revision as registered, not as running: it has not seen it run.
    func updateExternal(_ plan: ServicePlan, _ want: DesiredService, environment: Environment, taskDefinitionArn: String) async throws -> Started {
        let begun = now()
        let blocked = plan.settingsChanges.map(\.path).filter {
            !ServiceUpdate.externalUpdatable.contains(Self.topField($0)) && Self.topField($0) != "tags"
        }
        guard blocked.isEmpty else {
            throw ReconcileError(
                .deploymentController,
                "\(want.rendered.serviceName) uses the EXTERNAL deployment controller: ECS does not change "
                    + blocked.map { "service.\($0)" }.joined(separator: ", ") + " through UpdateService for it",
                next: "change them through the controller that deploys it")
        }
        if plan.settingsChanges.contains(where: { Self.topField($0.path) != "tags" }) {
            _ = try await updateService(try ServiceUpdate.request(from: want.create, only: ServiceUpdate.externalUpdatable), want)
            progress("\(environment.name)/\(want.name): updated service \(want.rendered.serviceName) (EXTERNAL: settings only)")
        }
        var started = Started(want: want, taskDefinitionArn: taskDefinitionArn, expectation: nil, started: begun, drifted: Self.drifted(plan))
        if plan.taskDefinitionChanged { started.outcome = (.registered, Self.externalReason(taskDefinitionArn)) }
        return started
    }

    static func externalReason(_ taskDefinitionArn: String) -> String {
        "EXTERNAL deployment controller: \(short(taskDefinitionArn)) is registered for the controller that deploys this service; "
            + "berth does not deploy it and has not seen it run"
    }

    /// `loadBalancers[0].containerPort` → `loadBalancers`.
    static func topField(_ path: String) -> String {
        String(path.prefix { $0 != "." && $0 != "[" })
    }
}
