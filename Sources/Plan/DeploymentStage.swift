import ECS
import ECSModel

/// Where one of ECS's own blue/green, linear or canary deployments stands: its lifecycle stage
/// and the production traffic moved, from the ServiceDeployment API, for status and progress.
package enum DeploymentStage {
    /// The service's current deployment, when its strategy is one of ECS's own and the endpoint
    /// has the ServiceDeployment API (moto has not); nil otherwise.
    package static func current(of service: ECSAPI.Service, client: any ECSClient) async -> ECSAPI.ServiceDeployment? {
        guard service.deploymentConfiguration?.stagedStrategy != nil, let arn = service.currentServiceDeployment
        else { return nil }
        return try? await client.describeServiceDeployments(ECSAPI.DescribeServiceDeploymentsRequest(serviceDeploymentArns: [arn]))
            .serviceDeployments?.first
    }

    /// "BLUE_GREEN at TEST_TRAFFIC_SHIFT, production traffic 0%".
    package static func describe(_ deployment: ECSAPI.ServiceDeployment, strategy: String?) -> String {
        var text =
            "\(strategy ?? deployment.deploymentConfiguration?.strategy ?? "deployment") at \(deployment.lifecycleStage ?? deployment.status ?? "an unknown stage")"
        if let weight = deployment.targetServiceRevision?.requestedProductionTrafficWeight {
            text += ", production traffic \(Int(weight.rounded()))%"
        }
        return text
    }

    /// Still running: a bake or the clean-up may follow a rollout ECS already calls complete.
    package static func unfinished(_ deployment: ECSAPI.ServiceDeployment) -> Bool {
        [ECSStatus.pending, ECSStatus.inProgress].contains(deployment.status ?? "")
    }
}
