import ECSModel
import Foundation

/// One form for a task definition, whether it comes from git or from ECS, so that an
/// unchanged repository never shows a difference (ecs-facts section 2): the observed side is
/// projected onto the RegisterTaskDefinition request, both sides get ECS's defaults, set-like
/// lists are sorted, units parsed and empty values dropped. Keys of user maps (docker labels,
/// log options) are left as they are.
package enum TaskDefinitionCanonical {
    /// The request ECS would need to register `definition` again, with its `tags`
    /// (DescribeTaskDefinition's, asked for with `include: TAGS`).
    package static func request(from definition: ECSAPI.TaskDefinition, tags: [ECSAPI.Tag]? = nil) -> ECSAPI.RegisterTaskDefinitionRequest {
        ECSAPI.RegisterTaskDefinitionRequest(
            family: definition.family, taskRoleArn: definition.taskRoleArn, executionRoleArn: definition.executionRoleArn,
            networkMode: definition.networkMode, containerDefinitions: definition.containerDefinitions, volumes: definition.volumes,
            placementConstraints: definition.placementConstraints, requiresCompatibilities: definition.requiresCompatibilities,
            cpu: definition.cpu, memory: definition.memory, tags: tags, pidMode: definition.pidMode, ipcMode: definition.ipcMode,
            proxyConfiguration: definition.proxyConfiguration, inferenceAccelerators: definition.inferenceAccelerators,
            ephemeralStorage: definition.ephemeralStorage, runtimePlatform: definition.runtimePlatform,
            enableFaultInjection: definition.enableFaultInjection)
    }

    /// A tag key that is the user's, not berth's (`berth:`) or AWS's (`aws:`).
    package static func isUserTag(_ key: String) -> Bool {
        !key.hasPrefix("berth:") && !key.hasPrefix("aws:")
    }

    /// The user's tags, sorted by key: a tag is part of what a revision is (tags on a revision
    /// are its own, so a change registers a new one). berth's own tags (`berth:`) say where a
    /// revision came from and AWS's (`aws:`) are AWS's; neither is compared.
    package static func userTags(_ tags: [ECSAPI.Tag]?) -> [ECSAPI.Tag]? {
        let kept = (tags ?? []).filter { isUserTag($0.key ?? "") }
        return kept.isEmpty ? nil : kept.sorted { ($0.key ?? "") < ($1.key ?? "") }
    }

    package static func canonical(_ input: ECSAPI.RegisterTaskDefinitionRequest) -> JSONValue {
        var r = input
        r.tags = userTags(r.tags)
        let networkMode = r.networkMode ?? "bridge"
        r.networkMode = networkMode
        r.cpu = r.cpu.map { TaskSize.cpuUnits($0).map(String.init) ?? $0 }
        r.memory = r.memory.map { TaskSize.memoryMiB($0).map(String.init) ?? $0 }
        r.requiresCompatibilities = r.requiresCompatibilities?.sorted()
        r.containerDefinitions = r.containerDefinitions?.map { container($0, networkMode: networkMode) }
            .sorted { ($0.name ?? "") < ($1.name ?? "") }
        r.volumes = r.volumes?.map(volume).sorted { ($0.name ?? "") < ($1.name ?? "") }
        r.placementConstraints = r.placementConstraints?.sorted { ($0.type ?? "", $0.expression ?? "") < ($1.type ?? "", $1.expression ?? "") }
        if var proxy = r.proxyConfiguration {
            proxy.type = proxy.type ?? "APPMESH"
            proxy.properties = proxy.properties?.sorted { ($0.name ?? "") < ($1.name ?? "") }
            r.proxyConfiguration = proxy
        }
        if r.enableFaultInjection == false { r.enableFaultInjection = nil }
        if r.runtimePlatform?.cpuArchitecture == nil && r.runtimePlatform?.operatingSystemFamily == nil { r.runtimePlatform = nil }
        return JSONValue.from(r).pruned() ?? .object([:])
    }

    /// A canonical form with containers' images replaced, by container name: nothing in
    /// `canonical(_:)` reads an image, so a task definition that differs from another only in
    /// images has the other's form with those replaced. Nil unless each named container is
    /// there exactly once, with the old image.
    package static func replacingImages(in canonical: JSONValue, _ images: [String: (old: String, new: String)]) -> JSONValue? {
        guard case .object(var task) = canonical, case .array(var containers)? = task["containerDefinitions"] else { return nil }
        var replaced = 0
        for index in containers.indices {
            guard case .object(var container) = containers[index], case .string(let name)? = container["name"], let image = images[name]
            else { continue }
            guard case .string(let current)? = container["image"], current.utf8.elementsEqual(image.old.utf8) else { return nil }
            container["image"] = .string(image.new)
            containers[index] = .object(container)
            replaced += 1
        }
        // A name twice is replaced twice: which container it meant is not known.
        guard replaced == images.count else { return nil }
        task["containerDefinitions"] = .array(containers)
        return .object(task)
    }

    static func container(_ input: ECSAPI.ContainerDefinition, networkMode: String) -> ECSAPI.ContainerDefinition {
        var c = input
        c.essential = c.essential ?? true
        if c.cpu == 0 { c.cpu = nil }
        c.portMappings = c.portMappings?.map { mapping in
            var m = mapping
            m.`protocol` = m.`protocol` ?? "tcp"
            if networkMode == "awsvpc" || networkMode == "host" {
                m.hostPort = m.hostPort ?? m.containerPort
            } else if m.hostPort == 0 {
                m.hostPort = nil
            }
            return m
        }.sorted { ($0.containerPort ?? 0, $0.`protocol` ?? "", $0.name ?? "") < ($1.containerPort ?? 0, $1.`protocol` ?? "", $1.name ?? "") }
        c.environment = c.environment?.filter { $0.value != nil }.sorted { ($0.name ?? "") < ($1.name ?? "") }
        c.secrets = c.secrets?.sorted { ($0.name ?? "") < ($1.name ?? "") }
        c.environmentFiles = c.environmentFiles?.sorted { ($0.value ?? "") < ($1.value ?? "") }
        c.mountPoints = c.mountPoints?.map { point in
            var p = point
            if p.readOnly == false { p.readOnly = nil }
            return p
        }.sorted { ($0.containerPath ?? "") < ($1.containerPath ?? "") }
        c.volumesFrom = c.volumesFrom?.map { from in
            var f = from
            if f.readOnly == false { f.readOnly = nil }
            return f
        }.sorted { ($0.sourceContainer ?? "") < ($1.sourceContainer ?? "") }
        c.dependsOn = c.dependsOn?.sorted { ($0.containerName ?? "") < ($1.containerName ?? "") }
        c.ulimits = c.ulimits?.sorted { ($0.name ?? "") < ($1.name ?? "") }
        c.extraHosts = c.extraHosts?.sorted { ($0.hostname ?? "") < ($1.hostname ?? "") }
        c.systemControls = c.systemControls?.sorted { ($0.namespace ?? "") < ($1.namespace ?? "") }
        if var health = c.healthCheck {
            health.interval = health.interval ?? 30
            health.retries = health.retries ?? 3
            health.timeout = health.timeout ?? 5
            c.healthCheck = health
        }
        dropUnsetDefaults(&c)
        return c
    }

    /// Values ECS shows for settings nobody set: `false` flags, version consistency on, root
    /// for FireLens routers, a disabled restart policy. Both sides of a plan, and an import,
    /// leave them out.
    package static func dropUnsetDefaults(_ c: inout ECSAPI.ContainerDefinition) {
        for flag in [\ECSAPI.ContainerDefinition.privileged, \.readonlyRootFilesystem, \.interactive, \.pseudoTerminal, \.disableNetworking]
        where c[keyPath: flag] == false {
            c[keyPath: flag] = nil
        }
        if c.linuxParameters?.initProcessEnabled == false { c.linuxParameters?.initProcessEnabled = nil }
        if c.versionConsistency == "enabled" { c.versionConsistency = nil }
        // ECS runs FireLens log routers as root and says so.
        if c.firelensConfiguration != nil && c.user == "0" { c.user = nil }
        if c.restartPolicy?.enabled == false && c.restartPolicy?.ignoredExitCodes == nil && c.restartPolicy?.restartAttemptPeriod == nil {
            c.restartPolicy = nil
        }
    }

    static func volume(_ input: ECSAPI.Volume) -> ECSAPI.Volume {
        var v = input
        if var docker = v.dockerVolumeConfiguration {
            if docker.scope == nil || docker.scope == "task" { docker.scope = nil }
            if docker.driver == "local" { docker.driver = nil }
            if docker.autoprovision == false { docker.autoprovision = nil }
            v.dockerVolumeConfiguration = docker
        }
        if var efs = v.efsVolumeConfiguration {
            if efs.rootDirectory == "/" { efs.rootDirectory = nil }
            if efs.transitEncryptionPort == 0 { efs.transitEncryptionPort = nil }
            v.efsVolumeConfiguration = efs
        }
        if v.configuredAtLaunch == false { v.configuredAtLaunch = nil }
        return v
    }
}
