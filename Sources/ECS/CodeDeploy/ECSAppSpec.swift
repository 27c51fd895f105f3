import ECSModel
import Foundation

/// What an ECS AppSpec (JSON) says: the task definition, the container and port the load
/// balancer sends traffic to, and what the replacement task set gets. Read by berth to know a
/// deployment it started before, and by the local target to carry one out.
package struct ECSAppSpec: Sendable {
    package let taskDefinition: String
    package let containerName: String?
    package let containerPort: Int?
    package let platformVersion: String?
    package let networkConfiguration: ECSAPI.NetworkConfiguration?
    package let capacityProviderStrategy: [ECSAPI.CapacityProviderStrategyItem]?

    /// nil when `content` is not an ECS AppSpec naming a task definition.
    package init?(_ content: String) {
        guard let data = content.data(using: .utf8),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let resources = root["Resources"] as? [[String: Any]],
            let properties = resources.lazy.flatMap({ $0.values }).compactMap({ ($0 as? [String: Any])?["Properties"] as? [String: Any] })
                .first(where: { $0["TaskDefinition"] is String }),
            let taskDefinition = properties["TaskDefinition"] as? String
        else { return nil }
        let balancer = properties["LoadBalancerInfo"] as? [String: Any]
        self.taskDefinition = taskDefinition
        containerName = balancer?["ContainerName"] as? String
        containerPort = balancer?["ContainerPort"] as? Int
        platformVersion = properties["PlatformVersion"] as? String
        if let vpc = (properties["NetworkConfiguration"] as? [String: Any])?["AwsvpcConfiguration"] as? [String: Any] {
            networkConfiguration = ECSAPI.NetworkConfiguration(
                awsvpcConfiguration: ECSAPI.AwsVpcConfiguration(
                    subnets: vpc["Subnets"] as? [String], securityGroups: vpc["SecurityGroups"] as? [String],
                    assignPublicIp: vpc["AssignPublicIp"] as? String))
        } else {
            networkConfiguration = nil
        }
        capacityProviderStrategy = (properties["CapacityProviderStrategy"] as? [[String: Any]])?.map {
            ECSAPI.CapacityProviderStrategyItem(
                capacityProvider: $0["CapacityProvider"] as? String, weight: $0["Weight"] as? Int,
                base: $0["Base"] as? Int)
        }
    }
}
