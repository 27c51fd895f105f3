import AWS
import ECSModel
import Foundation

extension LocalECS {
    package func createCluster(_ input: ECSAPI.CreateClusterRequest) async throws -> ECSAPI.CreateClusterResponse {
        try await run("CreateCluster") { state in
            let name = input.clusterName ?? "default"
            if state.clusters[name] == nil {
                state.clusters[name] = LocalCluster(name: name, arn: arn("cluster/\(name)"), createdAt: now())
                if let tags = input.tags, !tags.isEmpty { state.tags[arn("cluster/\(name)")] = tags }
            }
            return ECSAPI.CreateClusterResponse(cluster: clusterView(state.clusters[name]!, state))
        }
    }

    package func describeClusters(_ input: ECSAPI.DescribeClustersRequest) async throws -> ECSAPI.DescribeClustersResponse {
        try await run("DescribeClusters") { state in
            var clusters: [ECSAPI.Cluster] = []
            var failures: [ECSAPI.Failure] = []
            for reference in input.clusters ?? ["default"] {
                if let cluster = state.clusters[clusterName(reference)] {
                    clusters.append(clusterView(cluster, state))
                } else {
                    failures.append(ECSAPI.Failure(arn: arn("cluster/\(clusterName(reference))"), reason: "MISSING"))
                }
            }
            return ECSAPI.DescribeClustersResponse(clusters: clusters, failures: failures)
        }
    }

    nonisolated func clusterView(_ cluster: LocalCluster, _ state: LocalState) -> ECSAPI.Cluster {
        let services = state.services.values.filter { clusterName($0.service.clusterArn) == cluster.name && $0.service.status == ECSStatus.active }
        return ECSAPI.Cluster(
            clusterArn: cluster.arn, clusterName: cluster.name, status: ECSStatus.active, registeredContainerInstancesCount: 0,
            runningTasksCount: services.reduce(0) { $0 + (LocalRollout.view($1).runningCount ?? 0) },
            pendingTasksCount: 0, activeServicesCount: services.count)
    }

    nonisolated func requireCluster(_ reference: String?, _ state: LocalState) throws -> LocalCluster {
        guard let cluster = state.clusters[clusterName(reference)] else {
            throw fail("ClusterNotFoundException", "Cluster not found.")
        }
        return cluster
    }

    /// The ACTIVE service `service` of `cluster`, with its state key.
    nonisolated func requireService(cluster: String?, service: String?, _ state: LocalState) throws -> (String, LocalService) {
        let key = "\(try requireCluster(cluster, state).name)/\(clusterName(service))"
        guard let local = state.services[key], local.service.status == ECSStatus.active else {
            throw fail("ServiceNotFoundException", "Service not found.")
        }
        return (key, local)
    }

    /// A task definition a service or task may use: it must exist and be ACTIVE.
    nonisolated func requireActiveTaskDefinition(_ reference: String?, _ state: LocalState) throws -> ECSAPI.TaskDefinition {
        guard let reference, let definition = try find(reference, in: state) else {
            throw fail("ClientException", "Unable to describe task definition.")
        }
        guard definition.status == ECSStatus.active else { throw fail("ClientException", "TaskDefinition is inactive") }
        return definition
    }

    package func createService(_ input: ECSAPI.CreateServiceRequest) async throws -> ECSAPI.CreateServiceResponse {
        try await run("CreateService") { state in
            let cluster = try requireCluster(input.cluster, state)
            guard let name = input.serviceName, !name.isEmpty else { throw fail("InvalidParameterException", "serviceName is required.") }
            let key = "\(cluster.name)/\(name)"
            try advanceAll(&state)
            switch state.services[key]?.service.status {
            case ECSStatus.active: throw fail("InvalidParameterException", "Creation of service was not idempotent.")
            case ECSStatus.draining: throw fail("InvalidParameterException", "Unable to Start a service that is still Draining.")
            default: break
            }
            // An EXTERNAL service starts with no task set: the controller that deploys it makes them.
            let external = input.deploymentController?.type == "EXTERNAL"
            let definition = external ? nil : try requireActiveTaskDefinition(input.taskDefinition, state)
            if input.launchType != nil && input.capacityProviderStrategy != nil {
                throw fail("InvalidParameterException", "Specifying both a launch type and capacity provider strategy is not supported.")
            }
            var configuration = input.deploymentConfiguration ?? ECSAPI.DeploymentConfiguration()
            configuration.maximumPercent = configuration.maximumPercent ?? 200
            configuration.minimumHealthyPercent = configuration.minimumHealthyPercent ?? 100
            configuration.deploymentCircuitBreaker =
                configuration.deploymentCircuitBreaker
                ?? ECSAPI.DeploymentCircuitBreaker(enable: false, rollback: false)
            let service = ECSAPI.Service(
                serviceArn: arn("service/\(cluster.name)/\(name)"), serviceName: name, clusterArn: cluster.arn,
                loadBalancers: input.loadBalancers ?? [], serviceRegistries: input.serviceRegistries ?? [], status: ECSStatus.active,
                desiredCount: input.desiredCount ?? 0, runningCount: 0, pendingCount: 0,
                launchType: input.launchType ?? (input.capacityProviderStrategy == nil ? "EC2" : nil),
                capacityProviderStrategy: input.capacityProviderStrategy,
                platformVersion: input.platformVersion ?? ((input.launchType == "FARGATE") ? "LATEST" : nil),
                taskDefinition: definition?.taskDefinitionArn, deploymentConfiguration: configuration, events: [],
                createdAt: Timestamp(now()), placementConstraints: input.placementConstraints ?? [],
                placementStrategy: input.placementStrategy ?? [], networkConfiguration: input.networkConfiguration,
                healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds, schedulingStrategy: input.schedulingStrategy ?? "REPLICA",
                deploymentController: input.deploymentController ?? ECSAPI.DeploymentController(type: "ECS"),
                tags: input.tags, createdBy: "arn:aws:iam::\(accountId):root", enableECSManagedTags: input.enableECSManagedTags ?? false,
                propagateTags: input.propagateTags ?? "NONE", enableExecuteCommand: input.enableExecuteCommand ?? false,
                availabilityZoneRebalancing: input.availabilityZoneRebalancing ?? "DISABLED")
            var local = LocalService(service: service, deployments: [])
            if let arn = definition?.taskDefinitionArn { deploy(&local, taskDefinition: arn, state: &state) }
            if let tags = input.tags, !tags.isEmpty { state.tags[service.serviceArn!] = tags }
            state.services[key] = local
            return ECSAPI.CreateServiceResponse(service: LocalRollout.view(local))
        }
    }

    package func updateService(_ input: ECSAPI.UpdateServiceRequest) async throws -> ECSAPI.UpdateServiceResponse {
        try await run("UpdateService") { state in
            let (key, _) = try requireService(cluster: input.cluster, service: input.service, state)
            try advanceAll(&state)
            var local = state.services[key]!
            if local.service.deploymentController?.type == "CODE_DEPLOY" { try refuseCodeDeployChanges(input, local.service, state) }
            var redeploy = input.forceNewDeployment == true
            var target = local.service.taskDefinition!
            if let reference = input.taskDefinition {
                let definition = try requireActiveTaskDefinition(reference, state)
                if definition.taskDefinitionArn != local.service.taskDefinition { redeploy = true }
                target = definition.taskDefinitionArn!
            }
            var service = local.service
            if let count = input.desiredCount {
                service.desiredCount = count
                for index in local.deployments.indices where local.deployments[index].status == ECSStatus.primary {
                    local.deployments[index].desiredCount = count
                }
            }
            if let value = input.deploymentConfiguration { service.deploymentConfiguration = value }
            if let value = input.networkConfiguration, value != service.networkConfiguration { service.networkConfiguration = value; redeploy = true }
            if let value = input.platformVersion, value != service.platformVersion { service.platformVersion = value; redeploy = true }
            if let value = input.capacityProviderStrategy, value != service.capacityProviderStrategy {
                service.capacityProviderStrategy = value; redeploy = true
            }
            if let value = input.loadBalancers, value != service.loadBalancers { service.loadBalancers = value; redeploy = true }
            if let value = input.placementConstraints { service.placementConstraints = value }
            if let value = input.placementStrategy { service.placementStrategy = value }
            if let value = input.healthCheckGracePeriodSeconds { service.healthCheckGracePeriodSeconds = value }
            if let value = input.enableExecuteCommand { service.enableExecuteCommand = value }
            if let value = input.enableECSManagedTags { service.enableECSManagedTags = value }
            if let value = input.propagateTags { service.propagateTags = value }
            if let value = input.serviceRegistries { service.serviceRegistries = value }
            if let value = input.availabilityZoneRebalancing { service.availabilityZoneRebalancing = value }
            local.service = service
            if redeploy { deploy(&local, taskDefinition: target, state: &state) }
            state.services[key] = local
            return ECSAPI.UpdateServiceResponse(service: LocalRollout.view(local))
        }
    }

    /// What ECS refuses to change on a service CodeDeploy deploys: those go out as a deployment.
    nonisolated func refuseCodeDeployChanges(_ input: ECSAPI.UpdateServiceRequest, _ service: ECSAPI.Service, _ state: LocalState) throws {
        let suffix = " on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to deploy."
        if let reference = input.taskDefinition, try find(reference, in: state)?.taskDefinitionArn != service.taskDefinition {
            throw fail("InvalidParameterException", "Unable to update task definition" + suffix)
        }
        if let value = input.loadBalancers, value != service.loadBalancers {
            throw fail("InvalidParameterException", "Unable to update load balancers" + suffix)
        }
        if let value = input.networkConfiguration, value != service.networkConfiguration {
            throw fail("InvalidParameterException", "Unable to update network parameters" + suffix)
        }
        if let value = input.platformVersion, value != service.platformVersion {
            throw fail("InvalidParameterException", "Unable to update platform version" + suffix)
        }
        if let value = input.capacityProviderStrategy, value != service.capacityProviderStrategy {
            throw fail("InvalidParameterException", "Unable to update capacity provider strategy" + suffix)
        }
    }

    package func deleteService(_ input: ECSAPI.DeleteServiceRequest) async throws -> ECSAPI.DeleteServiceResponse {
        try await run("DeleteService") { state in
            let (key, found) = try requireService(cluster: input.cluster, service: input.service, state)
            var local = found
            guard input.force == true || (local.service.desiredCount ?? 0) == 0 else {
                throw fail("InvalidParameterException", "The service cannot be stopped while it is scaled above 0.")
            }
            guard local.service.status == ECSStatus.active else { throw fail("ServiceNotActiveException", "Service was not ACTIVE.") }
            // Like ECS: DRAINING while its tasks stop, INACTIVE after (advanceAll).
            local.service.status = ECSStatus.draining
            local.service.desiredCount = 0
            local.deletedAt = now()
            state.services[key] = local
            return ECSAPI.DeleteServiceResponse(service: LocalRollout.view(local))
        }
    }

    package func describeServices(_ input: ECSAPI.DescribeServicesRequest) async throws -> ECSAPI.DescribeServicesResponse {
        try await run("DescribeServices") { state in
            let cluster = try requireCluster(input.cluster, state)
            let names = input.services ?? []
            guard names.count <= 10 else { throw fail("InvalidParameterException", "services can have at most 10 items.") }
            try advanceAll(&state)
            var services: [ECSAPI.Service] = []
            var failures: [ECSAPI.Failure] = []
            for reference in names {
                let name = clusterName(reference)
                guard let local = state.services["\(cluster.name)/\(name)"] else {
                    failures.append(ECSAPI.Failure(arn: arn("service/\(cluster.name)/\(name)"), reason: "MISSING"))
                    continue
                }
                var view = LocalRollout.view(local)
                view.tags = input.include?.contains("TAGS") == true ? (state.tags[view.serviceArn!] ?? []) : nil
                services.append(view)
            }
            return ECSAPI.DescribeServicesResponse(services: services, failures: failures)
        }
    }

    package func listServices(_ input: ECSAPI.ListServicesRequest) async throws -> ECSAPI.ListServicesResponse {
        try await run("ListServices") { state in
            let cluster = try requireCluster(input.cluster, state)
            try advanceAll(&state)
            let arns = state.services.values.filter { clusterName($0.service.clusterArn) == cluster.name && $0.service.status != ECSStatus.inactive }
                .compactMap(\.service.serviceArn).sorted()
            return Self.page(arns, maxResults: input.maxResults ?? 10, token: input.nextToken) { page, next in
                ECSAPI.ListServicesResponse(serviceArns: page, nextToken: next)
            }
        }
    }

    package func listServiceDeployments(_ input: ECSAPI.ListServiceDeploymentsRequest) async throws -> ECSAPI.ListServiceDeploymentsResponse {
        try await run("ListServiceDeployments") { state in
            let cluster = try requireCluster(input.cluster, state)
            try advanceAll(&state)
            guard let local = state.services["\(cluster.name)/\(clusterName(input.service))"] else {
                throw fail("ServiceNotFoundException", "Service not found.")
            }
            let wanted = Set(input.status ?? [])
            let briefs = local.deployments.filter { wanted.isEmpty || wanted.contains($0.serviceDeploymentStatus) }.map { deployment in
                ECSAPI.ServiceDeploymentBrief(
                    serviceDeploymentArn: deployment.arn, serviceArn: local.service.serviceArn,
                    clusterArn: cluster.arn, startedAt: Timestamp(deployment.createdAt),
                    createdAt: Timestamp(deployment.createdAt), finishedAt: deployment.finishedAt.map(Timestamp.init),
                    targetServiceRevisionArn: deployment.taskDefinition, status: deployment.serviceDeploymentStatus,
                    statusReason: deployment.rolloutStateReason)
            }
            return ECSAPI.ListServiceDeploymentsResponse(serviceDeployments: briefs)
        }
    }

    package func describeServiceDeployments(
        _ input: ECSAPI.DescribeServiceDeploymentsRequest
    ) async throws -> ECSAPI.DescribeServiceDeploymentsResponse {
        try await run("DescribeServiceDeployments") { state in
            try advanceAll(&state)
            var found: [ECSAPI.ServiceDeployment] = []
            var failures: [ECSAPI.Failure] = []
            for wanted in input.serviceDeploymentArns ?? [] {
                guard
                    let (local, deployment) = state.services.values.lazy.compactMap({ local in
                        local.deployments.first { $0.arn == wanted }.map { (local, $0) }
                    }).first
                else {
                    failures.append(ECSAPI.Failure(arn: wanted, reason: "MISSING"))
                    continue
                }
                // ECS's own strategies say where they stand: the lifecycle stage and the traffic moved.
                let stage =
                    deployment.rolloutState == ECSStatus.inProgress
                    ? LocalStrategy(deployment.configuration, pace: pace)?.stage(at: now().timeIntervalSince(deployment.createdAt)) : nil
                let rollback =
                    deployment.rollbackReason.map {
                        ECSAPI.Rollback(
                            reason: $0, startedAt: deployment.finishedAt.map(Timestamp.init),
                            serviceRevisionArn: deployment.sourceTaskDefinition)
                    }
                    ?? deployment.rollbackOf.map {
                        ECSAPI.Rollback(reason: "circuit breaker", startedAt: Timestamp(deployment.createdAt), serviceRevisionArn: $0)
                    }
                found.append(
                    ECSAPI.ServiceDeployment(
                        serviceDeploymentArn: deployment.arn, serviceArn: local.service.serviceArn, clusterArn: local.service.clusterArn,
                        createdAt: Timestamp(deployment.createdAt), startedAt: Timestamp(deployment.createdAt),
                        finishedAt: deployment.finishedAt.map(Timestamp.init), updatedAt: Timestamp(deployment.updatedAt),
                        targetServiceRevision: ECSAPI.ServiceRevisionSummary(
                            arn: deployment.taskDefinition,
                            requestedProductionTrafficWeight: stage?.production),
                        status: deployment.serviceDeploymentStatus, statusReason: deployment.rolloutStateReason,
                        lifecycleStage: stage?.name, deploymentConfiguration: deployment.configuration, rollback: rollback))
            }
            return ECSAPI.DescribeServiceDeploymentsResponse(serviceDeployments: found, failures: failures)
        }
    }
}
