import AWS
import ECS
import ECSModel
import Foundation
import Git
import Manifests
import Plan
import Records

/// A service whose deployment controller is `CODE_DEPLOY`: ECS takes neither a task
/// definition nor load balancers, network or platform changes for it through UpdateService,
/// so those go out as a CodeDeploy deployment (an AppSpec naming the revision, the container
/// and port traffic goes to, and the hooks), followed like a rollout.
extension Applier {
    func deployThroughCodeDeploy(
        _ plan: ServicePlan, _ want: DesiredService, environment: Environment, taskDefinitionArn: String,
        commit: ObjectID
    ) async throws -> Started {
        let begun = now()
        // Tags go through TagResource, whatever the controller.
        let changed = Set(plan.settingsChanges.map { Self.topField($0.path) }).subtracting(["tags"])
        let updatable = changed.intersection(ServiceUpdate.codeDeployUpdatable)
        let blocked = changed.subtracting(ServiceUpdate.codeDeployUpdatable).subtracting(ServiceUpdate.codeDeployAppSpec)
        guard blocked.isEmpty else {
            throw ReconcileError(
                .deploymentController,
                "\(want.rendered.serviceName) uses the CODE_DEPLOY deployment controller: ECS changes "
                    + blocked.sorted().map { "service.\($0)" }.joined(separator: ", ")
                    + " neither through UpdateService nor through a CodeDeploy deployment",
                next: "the service has to be created again for it")
        }
        if !updatable.isEmpty {
            _ = try await updateService(try ServiceUpdate.request(from: want.create, only: ServiceUpdate.codeDeployUpdatable), want)
            progress("\(environment.name)/\(want.name): updated service \(want.rendered.serviceName) (\(updatable.sorted().joined(separator: ", ")))")
        }
        guard plan.taskDefinitionChanged || !changed.isDisjoint(with: ServiceUpdate.codeDeployAppSpec) else {
            return Started(want: want, taskDefinitionArn: taskDefinitionArn, expectation: nil, started: begun, drifted: Self.drifted(plan))
        }
        guard let codeDeploy else {
            throw ReconcileError(
                .deploymentController, "\(want.rendered.serviceName) uses the CODE_DEPLOY deployment controller, and this target has no CodeDeploy")
        }
        let appSpec = try CodeDeployAppSpec(
            taskDefinitionArn: taskDefinitionArn, service: try want.create,
            hooks: want.rendered.codeDeploy?.hooks ?? [], serviceName: want.rendered.serviceName)
        let (application, group) = try await codeDeployGroup(want, environment: environment, client: codeDeploy)
        func following(_ id: String) -> Started {
            Started(
                want: want, taskDefinitionArn: taskDefinitionArn,
                expectation: .init(serviceName: want.rendered.serviceName, deploymentId: id, taskDefinitionArn: taskDefinitionArn, codeDeploy: true),
                started: begun, drifted: Self.drifted(plan))
        }
        // One deployment at a time per group: berth's own (a run that stopped while it went on)
        // is followed; another one is waited for.
        if let active = try await activeDeployment(application, group, client: codeDeploy) {
            guard active.taskDefinition == taskDefinitionArn else {
                throw ReconcileError(
                    .deploymentUnderWay,
                    "CodeDeploy deployment \(active.id) of \(application)/\(group) is \(active.status); "
                        + "\(want.name) is deployed once it ends")
            }
            progress("\(environment.name)/\(want.name): following CodeDeploy deployment \(active.id), already under way")
            return following(active.id)
        }
        // CodeDeploy may have finished one between the plan and now: what runs needs no deployment.
        if changed.isDisjoint(with: ServiceUpdate.codeDeployAppSpec),
            try await client.describeServices(cluster: environment.target.cluster, names: [want.rendered.serviceName])
                .services?.first?.taskDefinition == taskDefinitionArn
        {
            progress("\(environment.name)/\(want.name): already runs \(Self.short(taskDefinitionArn))")
            return Started(want: want, taskDefinitionArn: taskDefinitionArn, expectation: nil, started: begun, drifted: Self.drifted(plan))
        }
        try await hooks.beforeWrite?()
        let created: CodeDeployAPI.CreateDeploymentOutput
        do {
            created = try await codeDeploy.createDeployment(
                CodeDeployAPI.CreateDeploymentInput(
                    applicationName: application, deploymentGroupName: group,
                    revision: CodeDeployAPI.RevisionLocation(
                        revisionType: "AppSpecContent",
                        appSpecContent: CodeDeployAPI.AppSpecContent(content: appSpec.content)),
                    deploymentConfigName: want.rendered.codeDeploy?.deploymentConfig,
                    description: String("berth: \(environment.name)/\(want.name) at \(commit.short)".prefix(100))))
        } catch let error as AWSError where !error.surelyNotProcessed {
            // The answer was lost, not necessarily the deployment: look before saying it failed.
            if let active = try? await activeDeployment(application, group, client: codeDeploy), active.taskDefinition == taskDefinitionArn {
                progress("\(environment.name)/\(want.name): following CodeDeploy deployment \(active.id), started by a request whose answer was lost")
                return following(active.id)
            }
            throw error
        }
        guard let id = created.deploymentId, !id.isEmpty else {
            throw ReconcileError(
                .incompleteAnswer,
                "codedeploy CreateDeployment for \(want.rendered.serviceName) answered without a deployment id; "
                    + "look at \(application)/\(group) before applying again")
        }
        progress(
            "\(environment.name)/\(want.name): started CodeDeploy deployment \(id) of \(Self.short(taskDefinitionArn)) (\(application)/\(group))")
        return following(id)
    }

    /// A CODE_DEPLOY service that plans in sync while CodeDeploy is still at work on it (traffic
    /// moved, a bake or the old task set's termination still to come): it is not recorded as
    /// converged, since CodeDeploy may yet roll it back; its deployment is followed instead.
    func followCodeDeployUnderWay(_ triaged: inout Triage, plan: EnvironmentPlan, environment: Environment, desired: [DesiredService]) async {
        guard let codeDeploy, recorder != nil else { return }
        for index in triaged.outcomes.indices.reversed() {
            let outcome = triaged.outcomes[index]
            guard case .inSync = outcome.result, outcome.record?.outcome == .converged,
                let servicePlan = plan.services.first(where: { $0.service == outcome.service }), servicePlan.deploymentController == "CODE_DEPLOY",
                let want = desired.first(where: { $0.name == outcome.service }), let arn = servicePlan.liveTaskDefinitionArn,
                let group = try? await codeDeployGroup(want, environment: environment, client: codeDeploy),
                let active = try? await activeDeployment(group.application, group.group, client: codeDeploy),
                active.taskDefinition == arn
            else { continue }
            triaged.outcomes.remove(at: index)
            triaged.resumed.append(
                Started(
                    want: want, taskDefinitionArn: arn,
                    expectation: .init(
                        serviceName: want.rendered.serviceName, deploymentId: active.id,
                        taskDefinitionArn: arn, codeDeploy: true),
                    started: now()))
        }
    }

    /// The deployment running in a group (CodeDeploy runs one at a time), and the revision it deploys.
    func activeDeployment(
        _ application: String, _ group: String,
        client codeDeploy: any CodeDeployClient
    ) async throws -> (id: String, status: String, taskDefinition: String?)? {
        let active = try await codeDeploy.listDeployments(
            CodeDeployAPI.ListDeploymentsInput(
                applicationName: application, deploymentGroupName: group, includeOnlyStatuses: CodeDeployStatus.active.map(\.rawValue)))
        guard let id = active.deployments?.first else { return nil }
        let info = try await codeDeploy.getDeployment(CodeDeployAPI.GetDeploymentInput(deploymentId: id)).deploymentInfo
        return (id, info?.status ?? "active", info?.revision?.appSpecContent?.content.flatMap(ECSAppSpec.init)?.taskDefinition)
    }

    /// The application and deployment group that deploy `want`: the manifest's, else the group
    /// CodeDeploy ties to the service. The local target, which simulates the account, creates
    /// them (the manifest's names, or the cluster's and the service's) on first use.
    func codeDeployGroup(
        _ want: DesiredService, environment: Environment,
        client codeDeploy: any CodeDeployClient
    ) async throws -> (application: String, group: String) {
        let settings = want.rendered.codeDeploy
        let cluster = environment.target.cluster
        if let application = settings?.application, let group = settings?.deploymentGroup {
            if case .local = environment.target {
                try await ensureLocalGroup(application, group, want: want, cluster: cluster, client: codeDeploy)
            }
            // A group named once in a base file would otherwise deploy staging's revision to
            // whatever service the group deploys: it must name this one.
            let info = try await codeDeploy.getDeploymentGroup(
                CodeDeployAPI.GetDeploymentGroupInput(
                    applicationName: application, deploymentGroupName: group)
            ).deploymentGroupInfo
            let services = info?.ecsServices ?? []
            guard
                services.contains(where: { $0.serviceName == want.rendered.serviceName && AWSCodeDeployClient.sameCluster($0.clusterName, cluster) }),
                info?.computePlatform == nil || info?.computePlatform == "ECS"
            else {
                let listed = services.map { "\($0.clusterName ?? "?")/\($0.serviceName ?? "?")" }.joined(separator: ", ")
                throw ReconcileError(
                    .deploymentController,
                    "CodeDeploy deployment group \(application)/\(group) deploys \(listed.isEmpty ? "no ECS service" : listed), "
                        + "not \(cluster)/\(want.rendered.serviceName)", next: "name this environment's group in its overlay")
            }
            return (application, group)
        }
        if let found = try await codeDeploy.deploymentGroup(deploying: want.rendered.serviceName, cluster: cluster) {
            return found
        }
        if case .local = environment.target {
            let names = (settings?.application ?? cluster, settings?.deploymentGroup ?? want.rendered.serviceName)
            try await ensureLocalGroup(names.0, names.1, want: want, cluster: cluster, client: codeDeploy)
            return names
        }
        throw ReconcileError(
            .deploymentController,
            "no CodeDeploy deployment group deploys \(want.rendered.serviceName) in \(cluster)",
            next: "name it in \(want.rendered.sources.first ?? "the service file") under codeDeploy: {application, deploymentGroup}")
    }

    /// The local target's application and group for `want`, created when missing, with the
    /// service's target group and a second one to swap to.
    func ensureLocalGroup(
        _ application: String, _ group: String, want: DesiredService, cluster: String,
        client codeDeploy: any CodeDeployClient
    ) async throws {
        let exists = try? await codeDeploy.getDeploymentGroup(
            CodeDeployAPI.GetDeploymentGroupInput(
                applicationName: application, deploymentGroupName: group))
        guard exists?.deploymentGroupInfo == nil else { return }
        do {
            _ = try await codeDeploy.createApplication(CodeDeployAPI.CreateApplicationInput(applicationName: application, computePlatform: "ECS"))
        } catch let error as AWSError where error.code == "ApplicationAlreadyExistsException" {}
        let blue = try want.create.loadBalancers?.first?.targetGroupArn ?? "\(want.rendered.serviceName)-blue"
        let green =
            blue.contains("targetgroup/")
            ? blue.replacingOccurrences(
                of: #"targetgroup/([^/]+)/"#, with: "targetgroup/$1-alt/",
                options: .regularExpression)
            : "\(want.rendered.serviceName)-green"
        do {
            _ = try await codeDeploy.createDeploymentGroup(
                CodeDeployAPI.CreateDeploymentGroupInput(
                    applicationName: application, deploymentGroupName: group,
                    autoRollbackConfiguration: CodeDeployAPI.AutoRollbackConfiguration(enabled: true, events: ["DEPLOYMENT_FAILURE"]),
                    loadBalancerInfo: CodeDeployAPI.LoadBalancerInfo(targetGroupPairInfoList: [
                        CodeDeployAPI.TargetGroupPairInfo(
                            targetGroups: [CodeDeployAPI.TargetGroupInfo(name: blue), CodeDeployAPI.TargetGroupInfo(name: green)])
                    ]),
                    ecsServices: [CodeDeployAPI.ECSService(serviceName: want.rendered.serviceName, clusterName: cluster)]))
        } catch let error as AWSError where error.code == "DeploymentGroupAlreadyExistsException" {
            // Made meanwhile (services of one wave deploy together); whose it is is checked next.
        }
    }
}
