import ECSModel
import Foundation
import Manifests
import Plan

/// The AppSpec (JSON) of a CodeDeploy deployment of an ECS service: the task definition, the
/// container and port the load balancer sends traffic to, and what CodeDeploy sets on the
/// replacement task set (network, platform version, capacity providers), with the hooks.
/// https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-resources.html
struct CodeDeployAppSpec {
    let content: String

    init(taskDefinitionArn: String, service: ECSAPI.CreateServiceRequest, hooks: [CodeDeploySettings.Hook], serviceName: String) throws {
        guard let balancer = service.loadBalancers?.first, let container = balancer.containerName, let port = balancer.containerPort else {
            throw ReconcileError(
                .invalidManifests,
                "\(serviceName) uses the CODE_DEPLOY deployment controller, which needs a load balancer",
                next: "set service.loadBalancers with containerName and containerPort")
        }
        var properties: [String: Any] = [
            "TaskDefinition": taskDefinitionArn,
            "LoadBalancerInfo": ["ContainerName": container, "ContainerPort": port],
        ]
        if let platform = service.platformVersion { properties["PlatformVersion"] = platform }
        if let vpc = service.networkConfiguration?.awsvpcConfiguration {
            var awsvpc: [String: Any] = ["Subnets": vpc.subnets ?? []]
            if let groups = vpc.securityGroups { awsvpc["SecurityGroups"] = groups }
            if let assign = vpc.assignPublicIp { awsvpc["AssignPublicIp"] = assign }
            properties["NetworkConfiguration"] = ["AwsvpcConfiguration": awsvpc]
        }
        if let strategy = service.capacityProviderStrategy {
            properties["CapacityProviderStrategy"] = try strategy.map { item -> [String: Any] in
                guard let provider = item.capacityProvider, !provider.isEmpty else {
                    throw ReconcileError(
                        .invalidManifests, "\(serviceName): a capacityProviderStrategy item without its capacityProvider")
                }
                var entry: [String: Any] = ["CapacityProvider": provider]
                if let base = item.base { entry["Base"] = base }
                if let weight = item.weight { entry["Weight"] = weight }
                return entry
            }
        }
        var spec: [String: Any] = [
            "Resources": [["TargetService": ["Type": "AWS::ECS::Service", "Properties": properties]]]
        ]
        if !hooks.isEmpty { spec["Hooks"] = hooks.map { [$0.event: $0.function] } }
        let data = try JSONSerialization.data(withJSONObject: spec, options: [.sortedKeys, .withoutEscapingSlashes])
        // `version: 0.0` as AppSpec spells it (a serializer writes the number as 0).
        content = String(decoding: data.dropLast(), as: UTF8.self) + #","version":0.0}"#
    }
}
