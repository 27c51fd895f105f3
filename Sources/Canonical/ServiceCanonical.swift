import ECSModel
import Foundation

/// Service settings in one form: the CreateService members berth manages (not the name,
/// cluster or task definition, which are compared on their own), with order-free lists sorted
/// and tags as a map. Compared as a subset: what the manifest sets must match; what ECS adds
/// (defaults, fields the manifest leaves alone, desiredCount when an autoscaler owns it) does not count.
package enum ServiceCanonical {
    static let unmanaged: Set<String> = ["serviceName", "cluster", "taskDefinition", "clientToken"]

    package static func desired(_ request: ECSAPI.CreateServiceRequest) -> JSONValue {
        normalize(JSONValue.from(request))
    }

    package static func live(_ service: ECSAPI.Service) -> JSONValue {
        // Events, deployments and task sets are not settings, and the bulk of the service.
        var settings = service
        settings.events = nil
        settings.deployments = nil
        settings.taskSets = nil
        var fields = JSONValue.from(settings)
        // Some settings live only on the PRIMARY deployment.
        if case .object(var members) = fields, let primary = service.deployments?.first(where: { $0.status == ECSStatus.primary }) {
            let deployment = JSONValue.from(primary)
            for key in ["serviceConnectConfiguration", "volumeConfigurations", "vpcLatticeConfigurations"] where members[key] == nil {
                members[key] = deployment[key]
            }
            fields = .object(members)
        }
        // CreateService takes `role` (a name or an ARN); DescribeServices answers `roleArn`.
        if case .object(var members) = fields, let arn = service.roleArn {
            members["role"] = .string(arn)
            fields = .object(members)
        }
        return normalize(fields)
    }

    /// Settings without what CodeDeploy owns on a `CODE_DEPLOY` service: it swaps the load
    /// balancers' target group (blue, green) on every deployment, so the live target group says
    /// nothing about drift, and ECS refuses to change load balancers on such a service.
    package static func withoutCodeDeployOwned(_ settings: JSONValue) -> JSONValue {
        guard case .object(var members) = settings, case .array(let balancers)? = members["loadBalancers"] else { return settings }
        members["loadBalancers"] = .array(
            balancers.map { balancer in
                guard case .object(var fields) = balancer else { return balancer }
                fields["targetGroupArn"] = nil
                return .object(fields)
            }.sorted { $0.canonicalText < $1.canonicalText })
        return .object(members)
    }

    /// What an EXTERNAL service's task sets carry (with the task definition): its controller
    /// sets those on each task set, and ECS neither shows nor takes them on the service.
    package static let taskSetLevel: Set<String> = [
        "launchType", "platformVersion", "networkConfiguration", "loadBalancers", "serviceRegistries", "capacityProviderStrategy",
    ]

    /// Settings without what an EXTERNAL service's task sets carry.
    package static func withoutTaskSetLevel(_ settings: JSONValue) -> JSONValue {
        guard case .object(var members) = settings else { return settings }
        for key in taskSetLevel { members[key] = nil }
        return .object(members)
    }

    static func normalize(_ value: JSONValue) -> JSONValue {
        guard case .object(let members) = value else { return .object([:]) }
        let managed = ECSShapesKeys.createService.subtracting(unmanaged)
        var result: [String: JSONValue] = [:]
        for (key, member) in members where managed.contains(key) {
            result[key] = member
        }
        if case .array(let tags)? = result["tags"] {
            var map: [String: JSONValue] = [:]
            for tag in tags { if let key = tag["key"]?.stringValue { map[key] = tag["value"] ?? .string("") } }
            result["tags"] = .object(map)
        }
        if case .object(var network)? = result["networkConfiguration"], case .object(var vpc)? = network["awsvpcConfiguration"] {
            for key in ["subnets", "securityGroups"] {
                if case .array(let items)? = vpc[key] { vpc[key] = .array(items.sorted { $0.canonicalText < $1.canonicalText }) }
            }
            network["awsvpcConfiguration"] = .object(vpc)
            result["networkConfiguration"] = .object(network)
        }
        if case .string(let role)? = result["role"] {
            // The name, whichever way it was given: "ecsServiceRole" or "arn:aws:iam::1:role/ecsServiceRole".
            result["role"] = .string(String(role.split(separator: "/").last ?? Substring(role)))
        }
        if case .array(let items)? = result["capacityProviderStrategy"] {
            // ECS takes a missing base or weight as 0 and may answer it; one item per provider.
            result["capacityProviderStrategy"] = .array(
                items.map { item in
                    guard case .object(var fields) = item else { return item }
                    for key in ["base", "weight"] where fields[key] == nil { fields[key] = .number(0) }
                    return .object(fields)
                }.sorted { ($0["capacityProvider"]?.stringValue ?? "") < ($1["capacityProvider"]?.stringValue ?? "") })
        }
        for key in ["loadBalancers", "placementConstraints", "serviceRegistries"] {
            if case .array(let items)? = result[key] { result[key] = .array(items.sorted { $0.canonicalText < $1.canonicalText }) }
        }
        return JSONValue.object(result).pruned() ?? .object([:])
    }
}

/// Member names of the CreateService request, read off the generated type.
enum ECSShapesKeys {
    static let createService: Set<String> = Set(Mirror(reflecting: ECSAPI.CreateServiceRequest()).children.compactMap(\.label))
}
