import Canonical
import ECS
import ECSModel
import Foundation
import Plan

/// What a person would write for a live task definition and service: the request shape, with
/// the values ECS fills in by default left out (the opposite of `TaskDefinitionCanonical`,
/// which adds them; both sides of a plan then agree).
package enum ImportForm {
    /// The task definition as a manifest, with its own tags (the user's: berth's and AWS's are
    /// left out, as the comparison leaves them out).
    package static func taskDefinition(_ definition: ECSAPI.TaskDefinition, tags: [ECSAPI.Tag]? = nil) -> JSONValue {
        var r = TaskDefinitionCanonical.request(from: definition, tags: TaskDefinitionCanonical.userTags(tags))
        let networkMode = r.networkMode ?? "bridge"
        if r.networkMode == "bridge" { r.networkMode = nil }
        if r.enableFaultInjection == false { r.enableFaultInjection = nil }
        r.containerDefinitions = r.containerDefinitions?.map { container($0, networkMode: networkMode) }
        if let volumes = r.volumes, volumes.isEmpty { r.volumes = nil }
        return JSONValue.from(r).pruned() ?? .object([:])
    }

    static func container(_ input: ECSAPI.ContainerDefinition, networkMode: String) -> ECSAPI.ContainerDefinition {
        var c = input
        if c.essential == true { c.essential = nil }
        if c.cpu == 0 { c.cpu = nil }
        c.portMappings = c.portMappings?.map { mapping in
            var m = mapping
            if m.`protocol` == "tcp" { m.`protocol` = nil }
            if m.hostPort == 0 || ((networkMode == "awsvpc" || networkMode == "host") && m.hostPort == m.containerPort) { m.hostPort = nil }
            return m
        }
        c.mountPoints = c.mountPoints?.map { point in
            var p = point
            if p.readOnly == false { p.readOnly = nil }
            return p
        }
        c.volumesFrom = c.volumesFrom?.map { from in
            var f = from
            if f.readOnly == false { f.readOnly = nil }
            return f
        }
        if var health = c.healthCheck {
            if health.interval == 30 { health.interval = nil }
            if health.retries == 3 { health.retries = nil }
            if health.timeout == 5 { health.timeout = nil }
            c.healthCheck = health
        }
        TaskDefinitionCanonical.dropUnsetDefaults(&c)
        return c
    }

    /// The service settings berth manages, without ECS's defaults, the name (berth's default
    /// is the service's folder) or the cluster and task definition (berth sets those).
    package static func serviceSettings(_ service: ECSAPI.Service, name: String) -> JSONValue {
        guard case .object(var members) = ServiceCanonical.live(service) else { return .object([:]) }
        if members["serviceName"]?.stringValue == name { members["serviceName"] = nil }
        let defaults: [String: JSONValue] = [
            "schedulingStrategy": .string("REPLICA"), "propagateTags": .string("NONE"), "enableECSManagedTags": .bool(false),
            "enableExecuteCommand": .bool(false), "healthCheckGracePeriodSeconds": .number(0),
            "deploymentController": .object(["type": .string("ECS")]), "platformVersion": .string("LATEST"),
        ]
        for (key, value) in defaults where members[key] == value { members[key] = nil }
        if case .object(var deployment)? = members["deploymentConfiguration"] {
            if deployment["maximumPercent"] == .number(200) { deployment["maximumPercent"] = nil }
            if deployment["minimumHealthyPercent"] == .number(100) { deployment["minimumHealthyPercent"] = nil }
            if deployment["deploymentCircuitBreaker"] == .object(["enable": .bool(false), "rollback": .bool(false)]) {
                deployment["deploymentCircuitBreaker"] = nil
            }
            if deployment["strategy"] == .string("ROLLING") { deployment["strategy"] = nil }
            members["deploymentConfiguration"] = .object(deployment)
        }
        // Tags as ECS takes them (a list of key/value pairs), without berth's own and AWS's.
        if case .object(let tags)? = members["tags"] {
            members["tags"] = .array(
                tags.keys.sorted().filter(TaskDefinitionCanonical.isUserTag)
                    .map { .object(["key": .string($0), "value": tags[$0]!]) })
        }
        return JSONValue.object(members).pruned() ?? .object([:])
    }
}
