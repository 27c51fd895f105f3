import AWS
import ECS
import ECSModel
import Manifests
import Records

/// Reads what an environment runs. Read calls only: one DescribeServices per 10 services, and
/// DescribeTaskDefinition only for revisions neither recorded nor seen before in this process.
package struct Observer: Sendable {
    package let client: any ECSClient
    package let cache: TaskDefinitionCache

    package init(client: any ECSClient, cache: TaskDefinitionCache = TaskDefinitionCache()) {
        self.client = client
        self.cache = cache
    }

    /// What `desired` runs in `environment`'s cluster. `recordedSpecs` maps task definition ARNs
    /// to the spec hash berth registered each for (from its records).
    package func observe(
        environment: Environment, desired: [DesiredService], recordedSpecs: RecordedSpecs = [:]
    ) async throws
        -> Observation
    {
        var observation = Observation()
        if !desired.isEmpty {
            observation.services = try await services(cluster: environment.target.cluster, names: desired.map(\.rendered.serviceName)) ?? [:]
        }
        for want in desired {
            guard let service = observation.services[want.rendered.serviceName] else { continue }
            // Not this review environment's: the planner refuses it, and nothing of it is read.
            if let review = environment.review, !review.owns(Tags.map(service.tags)) { continue }
            if let arn = service.taskDefinition, !recordedSpecs.isRecorded(arn, as: want.specHash), observation.taskDefinitions[arn] == nil {
                observation.taskDefinitions[arn] = try await cache.get(arn, from: client)
            }
            if service.deployments?.first(where: { $0.status == ECSStatus.primary })?.rolloutState == ECSStatus.inProgress,
                let stage = await DeploymentStage.current(of: service, client: client)
            {
                observation.stages[want.rendered.serviceName] = DeploymentStage.describe(stage, strategy: service.deploymentConfiguration?.strategy)
            }
        }
        if environment.policy.prune, environment.review == nil {
            observation.prunable = try await prunable(environment: environment, known: Set(desired.map(\.rendered.serviceName)))
        }
        return observation
    }

    /// Live services by name (nil: missing or not ACTIVE); nil overall when the cluster does not exist.
    package func services(cluster: String, names: [String]) async throws -> [String: ECSAPI.Service]? {
        do {
            let response = try await client.describeServices(cluster: cluster, names: names, includeTags: true)
            var live: [String: ECSAPI.Service] = [:]
            for service in response.services ?? [] where service.status == ECSStatus.active {
                if let name = service.serviceName { live[name] = service }
            }
            return live
        } catch let error as AWSError where error.code == "ClusterNotFoundException" {
            return nil
        }
    }

    /// The services berth created for `environment` that git no longer has: those in the
    /// cluster tagged with this environment by berth, and not among `known`.
    func prunable(environment: Environment, known: Set<String>) async throws -> [PrunedService] {
        let cluster = environment.target.cluster
        let arns: [String]
        do {
            arns = try await client.allServiceArns(cluster: cluster)
        } catch let error as AWSError where error.code == "ClusterNotFoundException" {
            return []
        }
        let others = arns.compactMap { $0.split(separator: "/").last.map(String.init) }.filter { !known.contains($0) }
        guard !others.isEmpty else { return [] }
        let found = try await client.describeServices(cluster: cluster, names: others, includeTags: true).services ?? []
        return found.compactMap { service -> PrunedService? in
            let tags = Tags.map(service.tags)
            guard service.status == ECSStatus.active, tags[Tags.environment] == environment.name, let name = tags[Tags.service],
                let serviceName = service.serviceName, let arn = service.serviceArn
            else { return nil }
            return PrunedService(
                service: name, serviceName: serviceName, serviceArn: arn, taskDefinitionArn: service.taskDefinition,
                desiredCount: service.desiredCount ?? 0)
        }.sorted { $0.service < $1.service }
    }
}
