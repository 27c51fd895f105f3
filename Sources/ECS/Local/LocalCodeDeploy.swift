import ECSModel
import Foundation

/// What the local target keeps of CodeDeploy, in one journaled map: applications, deployment
/// groups (each deploying one local service) and deployments, keyed by kind and name.
enum LocalCodeDeployEntry: Codable, Sendable, Equatable, JournaledValue {
    case application(name: String, createdAt: Date)
    case group(LocalDeploymentGroup)
    case deployment(LocalCodeDeployment)

    var busy: Bool {
        if case .deployment(let deployment) = self { return deployment.active }
        return false
    }

    static func applicationKey(_ name: String) -> String { "application:" + name }
    static func groupKey(_ application: String, _ group: String) -> String { "group:\(application)/\(group)" }
    static func deploymentKey(_ id: String) -> String { "deployment:" + id }
}

/// A deployment group: the service it deploys ("cluster/name") and its blue and green target groups.
struct LocalDeploymentGroup: Codable, Sendable, Equatable {
    var application: String
    var name: String
    var id: String
    var serviceKey: String
    var targetGroups: [String]
    var autoRollback: Bool
    var deploymentConfig: String
}

/// One CodeDeploy deployment of a service's new task definition, whose status follows from its
/// times as the ECS rollouts' do: it succeeds `pace` seconds after it starts, swapping the
/// service onto the new revision and its other target group; a failing image fails it after
/// `2 × pace`, with traffic never shifted, and the group's automatic rollback says so.
struct LocalCodeDeployment: Codable, Sendable, Equatable {
    var id: String
    var application: String
    var group: String
    var serviceKey: String
    var taskDefinition: String
    var previousTaskDefinition: String?
    var appSpec: String
    var description: String?
    var createdAt: Date
    var status: String
    var completedAt: Date?
    var errorCode: String?
    var errorMessage: String?
    var rollbackDeploymentId: String?
    var rollbackOf: String?
    var deploymentConfig = "CodeDeployDefault.ECSAllAtOnce"

    var active: Bool { CodeDeployStatus.active.map(\.rawValue).contains(status) }

    var info: CodeDeployAPI.DeploymentInfo {
        CodeDeployAPI.DeploymentInfo(
            applicationName: application, deploymentGroupName: group, deploymentConfigName: deploymentConfig,
            deploymentId: id,
            revision: CodeDeployAPI.RevisionLocation(
                revisionType: "AppSpecContent",
                appSpecContent: CodeDeployAPI.AppSpecContent(content: appSpec)),
            status: status, errorInformation: errorCode.map { CodeDeployAPI.ErrorInformation(code: $0, message: errorMessage) },
            createTime: Timestamp(createdAt), startTime: Timestamp(createdAt), completeTime: completedAt.map { Timestamp($0) },
            description: description, creator: rollbackOf == nil ? "user" : "codeDeployRollback",
            rollbackInfo: rollbackDeploymentId.map {
                CodeDeployAPI.RollbackInfo(
                    rollbackDeploymentId: $0, rollbackMessage: "Deployment \(id) was rolled back: \(errorMessage ?? "it failed")")
            } ?? rollbackOf.map { CodeDeployAPI.RollbackInfo(rollbackTriggeringDeploymentId: $0) },
            computePlatform: "ECS")
    }
}

extension LocalECS: CodeDeployClient {
    package func createApplication(_ input: CodeDeployAPI.CreateApplicationInput) async throws -> CodeDeployAPI.CreateApplicationOutput {
        try await run("CreateApplication", service: "codedeploy") { state in
            guard let name = input.applicationName, !name.isEmpty else {
                throw fail("ApplicationNameRequiredException", "Application name is required.")
            }
            let key = LocalCodeDeployEntry.applicationKey(name)
            guard state.codeDeploy[key] == nil else {
                throw fail("ApplicationAlreadyExistsException", "The application \(name) already exists with the user or AWS account.")
            }
            state.codeDeploy[key] = .application(name: name, createdAt: now())
            return CodeDeployAPI.CreateApplicationOutput(applicationId: name)
        }
    }

    package func createDeploymentGroup(_ input: CodeDeployAPI.CreateDeploymentGroupInput) async throws -> CodeDeployAPI.CreateDeploymentGroupOutput {
        try await run("CreateDeploymentGroup", service: "codedeploy") { state in
            let application = try requireApplication(input.applicationName, state)
            guard let name = input.deploymentGroupName, !name.isEmpty else {
                throw fail("DeploymentGroupNameRequiredException", "Deployment group name is required.")
            }
            let key = LocalCodeDeployEntry.groupKey(application, name)
            guard state.codeDeploy[key] == nil else {
                throw fail("DeploymentGroupAlreadyExistsException", "The deployment group \(name) already exists.")
            }
            guard let ecs = input.ecsServices, ecs.count == 1, let service = ecs[0].serviceName, let cluster = ecs[0].clusterName else {
                throw fail("InvalidECSServiceException", "An ECS deployment group deploys exactly one service (ecsServices).")
            }
            let serviceKey = "\(clusterName(cluster))/\(service)"
            guard state.services[serviceKey]?.service.deploymentController?.type == "CODE_DEPLOY" else {
                throw fail(
                    "InvalidECSServiceException", "The ECS service \(service) does not exist or does not use the CODE_DEPLOY deployment controller.")
            }
            let pairs = input.loadBalancerInfo?.targetGroupPairInfoList ?? []
            let rollback = input.autoRollbackConfiguration
            let id = state.makeID()
            state.codeDeploy[key] = .group(
                LocalDeploymentGroup(
                    application: application, name: name, id: id, serviceKey: serviceKey,
                    targetGroups: pairs.first?.targetGroups?.compactMap(\.name) ?? [],
                    autoRollback: rollback?.enabled == true && (rollback?.events ?? []).contains("DEPLOYMENT_FAILURE"),
                    deploymentConfig: input.deploymentConfigName ?? "CodeDeployDefault.ECSAllAtOnce"))
            return CodeDeployAPI.CreateDeploymentGroupOutput(deploymentGroupId: id)
        }
    }

    package func createDeployment(_ input: CodeDeployAPI.CreateDeploymentInput) async throws -> CodeDeployAPI.CreateDeploymentOutput {
        try await run("CreateDeployment", service: "codedeploy") { state in
            try advanceAll(&state)
            let group = try requireGroup(input.applicationName, input.deploymentGroupName, state)
            guard let content = input.revision?.appSpecContent?.content, let spec = ECSAppSpec(content) else {
                throw fail("InvalidRevisionException", "The AppSpec content is missing or is not an ECS AppSpec.")
            }
            let definition = try requireActiveTaskDefinition(spec.taskDefinition, state)
            guard let service = state.services[group.serviceKey], service.service.status == ECSStatus.active else {
                throw fail("ECSServiceMappingLimitExceededException", "The ECS service of deployment group \(group.name) does not exist.")
            }
            if let balancer = service.service.loadBalancers?.first,
                balancer.containerName != spec.containerName || balancer.containerPort != spec.containerPort
            {
                throw fail(
                    "InvalidRevisionException",
                    "The AppSpec's LoadBalancerInfo (\(spec.containerName ?? "-"):\(spec.containerPort.map(String.init) ?? "-")) "
                        + "does not match the service's load balancer (\(balancer.containerName ?? "-"):\(balancer.containerPort.map(String.init) ?? "-"))."
                )
            }
            if let running = state.codeDeploy.values.compactMap({ entry -> LocalCodeDeployment? in
                if case .deployment(let d) = entry, d.active, d.application == group.application, d.group == group.name { return d }
                return nil
            }).first {
                throw fail(
                    "DeploymentLimitExceededException", "The Deployment Group '\(group.name)' already has an active Deployment '\(running.id)'")
            }
            let id = "d-" + String(state.makeID().suffix(9)).uppercased()
            state.codeDeploy[LocalCodeDeployEntry.deploymentKey(id)] = .deployment(
                LocalCodeDeployment(
                    id: id, application: group.application, group: group.name, serviceKey: group.serviceKey,
                    taskDefinition: definition.taskDefinitionArn!, previousTaskDefinition: service.service.taskDefinition,
                    appSpec: content, description: input.description, createdAt: now(), status: CodeDeployStatus.inProgress.rawValue,
                    deploymentConfig: input.deploymentConfigName ?? group.deploymentConfig))
            return CodeDeployAPI.CreateDeploymentOutput(deploymentId: id)
        }
    }

    package func getDeployment(_ input: CodeDeployAPI.GetDeploymentInput) async throws -> CodeDeployAPI.GetDeploymentOutput {
        try await run("GetDeployment", service: "codedeploy") { state in
            try advanceAll(&state)
            guard let id = input.deploymentId, case .deployment(let deployment)? = state.codeDeploy[LocalCodeDeployEntry.deploymentKey(id)] else {
                throw fail("DeploymentDoesNotExistException", "The deployment \(input.deploymentId ?? "") could not be found.")
            }
            return CodeDeployAPI.GetDeploymentOutput(deploymentInfo: deployment.info)
        }
    }

    package func listDeployments(_ input: CodeDeployAPI.ListDeploymentsInput) async throws -> CodeDeployAPI.ListDeploymentsOutput {
        try await run("ListDeployments", service: "codedeploy") { state in
            try advanceAll(&state)
            let statuses = input.includeOnlyStatuses ?? []
            let ids = state.codeDeploy.values.compactMap { entry -> LocalCodeDeployment? in
                guard case .deployment(let d) = entry, input.applicationName == nil || d.application == input.applicationName,
                    input.deploymentGroupName == nil || d.group == input.deploymentGroupName,
                    statuses.isEmpty || statuses.contains(d.status)
                else { return nil }
                return d
            }.sorted { $0.createdAt > $1.createdAt }.map(\.id)
            return CodeDeployAPI.ListDeploymentsOutput(deployments: ids)
        }
    }

    package func listApplications(_ input: CodeDeployAPI.ListApplicationsInput) async throws -> CodeDeployAPI.ListApplicationsOutput {
        try await run("ListApplications", service: "codedeploy") { state in
            let names = state.codeDeploy.values.compactMap { entry -> String? in
                if case .application(let name, _) = entry { return name }
                return nil
            }
            return CodeDeployAPI.ListApplicationsOutput(applications: names.sorted())
        }
    }

    package func listDeploymentGroups(_ input: CodeDeployAPI.ListDeploymentGroupsInput) async throws -> CodeDeployAPI.ListDeploymentGroupsOutput {
        try await run("ListDeploymentGroups", service: "codedeploy") { state in
            let application = try requireApplication(input.applicationName, state)
            let names = state.codeDeploy.values.compactMap { entry -> String? in
                if case .group(let group) = entry, group.application == application { return group.name }
                return nil
            }
            return CodeDeployAPI.ListDeploymentGroupsOutput(applicationName: application, deploymentGroups: names.sorted())
        }
    }

    package func getDeploymentGroup(_ input: CodeDeployAPI.GetDeploymentGroupInput) async throws -> CodeDeployAPI.GetDeploymentGroupOutput {
        try await run("GetDeploymentGroup", service: "codedeploy") { state in
            let group = try requireGroup(input.applicationName, input.deploymentGroupName, state)
            let parts = group.serviceKey.split(separator: "/", maxSplits: 1).map(String.init)
            return CodeDeployAPI.GetDeploymentGroupOutput(
                deploymentGroupInfo: CodeDeployAPI.DeploymentGroupInfo(
                    applicationName: group.application, deploymentGroupId: group.id, deploymentGroupName: group.name,
                    deploymentConfigName: group.deploymentConfig, computePlatform: "ECS",
                    ecsServices: [CodeDeployAPI.ECSService(serviceName: parts.last, clusterName: parts.first)]))
        }
    }

    nonisolated func requireApplication(_ name: String?, _ state: LocalState) throws -> String {
        guard let name, !name.isEmpty else { throw fail("ApplicationNameRequiredException", "Application name is required.") }
        guard state.codeDeploy[LocalCodeDeployEntry.applicationKey(name)] != nil else {
            throw fail("ApplicationDoesNotExistException", "The application \(name) does not exist with the user or AWS account.")
        }
        return name
    }

    nonisolated func requireGroup(_ application: String?, _ name: String?, _ state: LocalState) throws -> LocalDeploymentGroup {
        let application = try requireApplication(application, state)
        guard let name, case .group(let group)? = state.codeDeploy[LocalCodeDeployEntry.groupKey(application, name)] else {
            throw fail("DeploymentGroupDoesNotExistException", "The deployment group \(name ?? "") does not exist.")
        }
        return group
    }

    /// Moves every active CodeDeploy deployment on to where its times put it.
    func advanceCodeDeploy(_ state: inout LocalState) throws {
        for key in state.codeDeploy.busy {
            guard case .deployment(var deployment)? = state.codeDeploy[key] else { continue }
            let failing = Set(state.failingImages)
            let fails = try usesFailingImage(deployment.taskDefinition, in: state, failing: failing)
            let group = try? requireGroup(deployment.application, deployment.group, state)
            if fails {
                let failedAt = deployment.createdAt.addingTimeInterval(2 * pace)
                guard now() >= failedAt else { continue }
                deployment.status = CodeDeployStatus.failed.rawValue
                deployment.completedAt = failedAt
                deployment.errorCode = "ECS_UPDATE_ERROR"
                deployment.errorMessage = "The ECS service cannot reach a steady state: the replacement tasks failed to start."
                if group?.autoRollback == true {
                    // The replacement task set never took traffic: the rollback only removes it.
                    let rollbackID = "d-" + String(state.makeID().suffix(9)).uppercased()
                    deployment.rollbackDeploymentId = rollbackID
                    state.codeDeploy[LocalCodeDeployEntry.deploymentKey(rollbackID)] = .deployment(
                        LocalCodeDeployment(
                            id: rollbackID, application: deployment.application, group: deployment.group, serviceKey: deployment.serviceKey,
                            taskDefinition: deployment.previousTaskDefinition ?? deployment.taskDefinition,
                            appSpec: ECSAppSpec.rollback(to: deployment.previousTaskDefinition ?? deployment.taskDefinition),
                            createdAt: failedAt, status: CodeDeployStatus.succeeded.rawValue, completedAt: failedAt, rollbackOf: deployment.id))
                }
                state.codeDeploy[key] = .deployment(deployment)
                continue
            }
            let doneAt = deployment.createdAt.addingTimeInterval(pace)
            guard now() >= doneAt else { continue }
            deployment.status = CodeDeployStatus.succeeded.rawValue
            deployment.completedAt = doneAt
            state.codeDeploy[key] = .deployment(deployment)
            if var service = state.services[deployment.serviceKey] {
                swap(&service, to: deployment.taskDefinition, targetGroups: group?.targetGroups ?? [], at: doneAt, state: &state)
                // What the AppSpec set on the replacement task set is what ECS shows for the service.
                if let spec = ECSAppSpec(deployment.appSpec) {
                    if let value = spec.networkConfiguration { service.service.networkConfiguration = value }
                    if let value = spec.platformVersion { service.service.platformVersion = value }
                    if let value = spec.capacityProviderStrategy { service.service.capacityProviderStrategy = value }
                }
                state.services[deployment.serviceKey] = service
            }
        }
    }

    /// The service after CodeDeploy's swap: the new revision's task set is primary and steady,
    /// and traffic is on the target group the old one did not use.
    func swap(_ local: inout LocalService, to taskDefinition: String, targetGroups: [String], at: Date, state: inout LocalState) {
        for index in local.deployments.indices where local.deployments[index].status != ECSStatus.inactive {
            local.deployments[index].status = ECSStatus.inactive
        }
        let id = state.makeID()
        local.deployments.insert(
            .primary(
                id: id, arn: deploymentArn(local.service, id), taskDefinition: taskDefinition, desiredCount: local.service.desiredCount ?? 0,
                at: at, completed: true, reason: "CodeDeploy moved traffic to the replacement task set.", status: "SUCCESSFUL",
                source: local.service.taskDefinition), at: 0)
        local.deployments.removeAll { $0.status == ECSStatus.inactive }
        local.service.taskDefinition = taskDefinition
        if targetGroups.count == 2, var balancers = local.service.loadBalancers, !balancers.isEmpty {
            let current = balancers[0].targetGroupArn ?? ""
            let next = targetGroups.first { !current.contains("targetgroup/\($0)/") && current != $0 } ?? targetGroups[0]
            balancers[0].targetGroupArn =
                next.hasPrefix("arn:")
                ? next
                : "arn:aws:elasticloadbalancing:\(region):\(accountId):targetgroup/\(next)/0123456789abcdef"
            local.service.loadBalancers = balancers
        }
    }
}

extension ECSAppSpec {
    /// The AppSpec of the deployment CodeDeploy makes to roll back to `taskDefinition`.
    static func rollback(to taskDefinition: String) -> String {
        #"{"Resources":[{"TargetService":{"Properties":{"TaskDefinition":"\#(taskDefinition)"},"Type":"AWS::ECS::Service"}}],"version":0.0}"#
    }
}
