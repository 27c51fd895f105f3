import AWS
import ECS
import Foundation
import Manifests

/// Opens the ECS client for an environment's target, once per target per process, so the
/// task definition cache and the call counters are shared by everything that uses it.
package actor TargetConnector {
    package let repositoryRoot: String
    package let environment: [String: String]
    package let counter: CallCounter
    private var clients: [String: any ECSClient] = [:]
    private var caches: [String: TaskDefinitionCache] = [:]

    package init(
        repositoryRoot: String, environment: [String: String] = ProcessInfo.processInfo.environment,
        counter: CallCounter = CallCounter()
    ) {
        self.repositoryRoot = repositoryRoot
        self.environment = environment
        self.counter = counter
    }

    package func client(for target: Target) -> any ECSClient {
        let key = TargetDescription.of(target) + "@" + target.region
        if let client = clients[key] { return client }
        let client: any ECSClient
        switch target {
        case .local(let local):
            // One backend per state file, whatever the cluster: environments on the same file
            // share its state in memory instead of each reading what the others journal.
            let file = environment["BERTH_LOCAL_STATE_FILE"] ?? Self.stateFile(local, root: repositoryRoot)
            let shared = "local:" + file + "@" + local.region + "/" + local.accountId
            if let known = clients[shared] {
                client = known
            } else {
                client = LocalECS(
                    stateFile: file, region: local.region, accountId: local.accountId,
                    pace: environment["BERTH_LOCAL_PACE"].flatMap(Double.init) ?? 1, counter: counter)
                clients[shared] = client
            }
        case .aws(let aws):
            let env = environment
            let base = AWSClient(
                region: aws.region,
                credentials: DefaultCredentials.chain(environment: env) { source, region in
                    AWSClient(region: region, credentials: source, environment: env)
                }, environment: env, counter: counter, limiter: limiter(aws.region))
            if let role = aws.roleArn {
                let assumed = CachingCredentialProvider(
                    AssumeRoleCredentialProvider(
                        roleArn: role, sessionName: "berth", externalId: aws.externalId,
                        sourceClient: base))
                client = AWSECSClient(client: base.with(credentials: assumed))
            } else {
                client = AWSECSClient(client: base)
            }
        }
        clients[key] = client
        return client
    }

    /// ECR in `region` with berth's own credentials, for image automation: the registry the
    /// images come from, whatever the environments' targets (the local target's too).
    /// One per Region for the life of the connector, as the targets' clients: the controller
    /// looks every interval, and the credential chain is resolved once, not at every look.
    package func ecr(region: String) -> ECRClient {
        if let known = registries[region] { return known }
        let env = environment
        let ecr = ECRClient(
            client: AWSClient(
                region: region,
                credentials: DefaultCredentials.chain(environment: env) { source, region in
                    AWSClient(region: region, credentials: source, environment: env)
                }, environment: env, counter: counter))
        registries[region] = ecr
        return ecr
    }

    private var registries: [String: ECRClient] = [:]

    /// CodeDeploy in the target's account and Region, with the target's credentials; the
    /// local target simulates it on its own services.
    package func codeDeploy(for target: Target) -> (any CodeDeployClient)? {
        switch client(for: target) {
        case let local as LocalECS: return local
        case let aws as AWSECSClient: return AWSCodeDeployClient(client: aws.client)
        default: return nil
        }
    }

    /// ECR in the target's account and region; nil for the local target, which has no registry.
    package func ecr(for target: Target) -> ECRClient? {
        guard case .aws = target, let ecs = client(for: target) as? AWSECSClient else { return nil }
        return ECRClient(client: ecs.client)
    }

    private var callers: [String: String?] = [:]

    /// Who AWS says berth is on the target (STS GetCallerIdentity, once per target and
    /// process), for the records; nil for the local target, or when STS does not answer.
    package func callerArn(for target: Target) async -> String? {
        let key = TargetDescription.of(target) + "@" + target.region
        if let known = callers[key] { return known }
        guard case .aws = target, let ecs = client(for: target) as? AWSECSClient else { return nil }
        let arn = try? await STSClient(client: ecs.client).getCallerIdentity().arn
        callers[key] = .some(arn.flatMap { $0.isEmpty ? nil : $0 })
        return callers[key]!
    }

    private var limiters: [String: RateLimiter] = [:]

    /// One set of ECS token buckets per Region (the throttles are per account and Region),
    /// scaled by BERTH_ECS_RATE_SCALE for raised quotas (0: off).
    func limiter(_ region: String) -> RateLimiter {
        if let limiter = limiters[region] { return limiter }
        let limiter = RateLimiter.ecs(scale: environment["BERTH_ECS_RATE_SCALE"].flatMap(Double.init) ?? 1)
        limiters[region] = limiter
        return limiter
    }

    /// At least how long `operations` take on `target` within ECS's request throttles; nil for
    /// the local target, which has none.
    package func minimumDuration(of operations: [String: Int], on target: Target) -> TimeInterval? {
        guard case .aws(let aws) = target else { return nil }
        return limiter(aws.region).minimumDuration(of: operations)
    }

    package func cache(for target: Target) -> TaskDefinitionCache {
        let key = TargetDescription.of(target) + "@" + target.region
        if let cache = caches[key] { return cache }
        let cache = TaskDefinitionCache()
        caches[key] = cache
        return cache
    }

    /// `target.local.stateFile` (relative to the repository) or `.berth/local-ecs.json`; the
    /// operator's BERTH_LOCAL_STATE_FILE (a host path, shared by replicas) overrides both.
    package static func stateFile(_ target: LocalTarget, root: String) -> String {
        let path = target.stateFile ?? ".berth/local-ecs.json"
        return path.hasPrefix("/") ? path : URL(fileURLWithPath: root).appendingPathComponent(path).standardizedFileURL.path
    }
}
