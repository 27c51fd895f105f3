import AWS
import Canonical
import ECS
import ECSModel
import Manifests
import Records

/// Compares what git wants with what ECS runs. Read calls only: one DescribeServices per 10
/// services, and DescribeTaskDefinition only for revisions not seen before in this process.
public struct Planner: Sendable {
    public let client: any ECSClient
    public let cache: TaskDefinitionCache

    public init(client: any ECSClient, cache: TaskDefinitionCache = TaskDefinitionCache()) {
        self.client = client
        self.cache = cache
    }

    /// Live services by name (nil: missing or not ACTIVE); nil overall when the cluster does not exist.
    public func observe(cluster: String, names: [String]) async throws -> [String: ECSAPI.Service]? {
        do {
            let response = try await client.describeServices(cluster: cluster, names: names, includeTags: true)
            var live: [String: ECSAPI.Service] = [:]
            for service in response.services ?? [] where service.status == "ACTIVE" {
                if let name = service.serviceName { live[name] = service }
            }
            return live
        } catch let error as AWSError where error.code == "ClusterNotFoundException" {
            return nil
        }
    }

    /// With `recordedSpecs` (task definition ARN to the spec hash berth registered it for, from
    /// its records), a service running the revision berth registered for exactly what git wants
    /// needs no DescribeTaskDefinition: a revision never changes once registered.
    public func plan(
        environment: Environment, desired: [DesiredService], commit: String?,
        lastConverged: [String: DeploymentRecord] = [:], recordedSpecs: [String: String] = [:]
    ) async throws -> EnvironmentPlan {
        let cluster = environment.target.cluster
        let live = desired.isEmpty ? [:] : try await observe(cluster: cluster, names: desired.map(\.rendered.serviceName)) ?? [:]
        var services: [ServicePlan] = []
        for want in desired {
            guard let service = live[want.rendered.serviceName] else {
                var plan = ServicePlan(
                    service: want.name, serviceName: want.rendered.serviceName, family: want.rendered.family,
                    action: .create, taskDefinitionChanges: [], settingsChanges: [],
                    liveTaskDefinitionArn: nil, liveDeploymentId: nil, specHash: want.specHash, drift: false)
                plan.desiredImages = want.rendered.images
                services.append(plan)
                continue
            }
            if let review = environment.review, !review.owns(Tags.map(service.tags)) {
                // Same name, not this review environment's: never adopted, changed or deleted.
                throw ReconcileError(
                    "service \(want.rendered.serviceName) in cluster \(cluster) is not tagged as review environment "
                        + "\(review.name) (instance \(review.instance)); berth leaves it alone and applies nothing to \(review.name)")
            }
            var tdChanges: [FieldChange] = []
            var liveImages: [String: String] = [:]
            if let arn = service.taskDefinition, recordedSpecs[arn] == want.specHash {
                liveImages = want.rendered.images
            } else if let arn = service.taskDefinition {
                let entry = try await cache.get(arn, from: client)
                tdChanges = FieldDiff.full(live: entry.canonical, desired: want.canonicalTaskDefinition)
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
                    live: live, user: want.create.tags, environment: environment.name, service: want.name,
                    prune: true
                ).untag.map {
                    FieldChange(path: "tags.\($0)", kind: .removed, before: live[$0].map(JSONValue.string), after: nil)
                }
            }
            let changed = !tdChanges.isEmpty || !settingsChanges.isEmpty
            let last = lastConverged[want.name]
            let drift = changed && last?.specHash == want.specHash && last?.settingsHash == want.settingsHash
            var plan = ServicePlan(
                service: want.name, serviceName: want.rendered.serviceName, family: want.rendered.family,
                action: changed ? .update : .inSync, taskDefinitionChanges: tdChanges,
                settingsChanges: settingsChanges, liveTaskDefinitionArn: service.taskDefinition,
                liveDeploymentId: service.deployments?.first { $0.status == "PRIMARY" }?.id,
                specHash: want.specHash, drift: drift)
            plan.desiredImages = want.rendered.images
            plan.deploymentController = service.deploymentController?.type
            plan.liveServiceArn = service.serviceArn
            plan.liveTags = Tags.map(service.tags)
            plan.live = LiveSummary(
                runningCount: service.runningCount ?? 0, desiredCount: service.desiredCount ?? 0,
                pendingCount: service.pendingCount ?? 0,
                rolloutState: service.deployments?.first { $0.status == "PRIMARY" }?.rolloutState, images: liveImages)
            if plan.live?.rolloutState == "IN_PROGRESS", let stage = await DeploymentStage.current(of: service, client: client) {
                plan.live?.stage = DeploymentStage.describe(stage, strategy: service.deploymentConfiguration?.strategy)
            }
            services.append(plan)
        }
        var plan = EnvironmentPlan(
            environment: environment.name, commit: commit, target: TargetDescription.of(environment.target),
            services: services, frozen: environment.freeze.flatMap { $0.isActive() ? $0.description : nil })
        if environment.policy.prune, environment.review == nil {
            plan.pruned = try await prunable(environment: environment, known: Set(desired.map(\.rendered.serviceName)))
        }
        return plan
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
            guard service.status == "ACTIVE", tags[Tags.environment] == environment.name, let name = tags[Tags.service],
                let serviceName = service.serviceName, let arn = service.serviceArn
            else { return nil }
            return PrunedService(
                service: name, serviceName: serviceName, serviceArn: arn, taskDefinitionArn: service.taskDefinition,
                desiredCount: service.desiredCount ?? 0)
        }.sorted { $0.service < $1.service }
    }
}

/// How a target is named in plans and records.
public enum TargetDescription {
    public static func of(_ target: Target) -> String {
        switch target {
        case .local(let t): return "local:\(t.cluster)"
        case .aws(let t): return "aws:\(t.region)/\(t.cluster)"
        }
    }
}
