import AWS
import ECSModel
import Foundation

/// RegisterTaskDefinition as ECS does it: the request is checked, then stored with the
/// defaults ECS fills in (so a diff against the local target behaves as against AWS).
enum LocalRegistration {
    static func error(_ message: String, _ code: String = "ClientException") -> AWSError {
        AWSError(code: code, message: message, status: 400, service: "ecs", operation: "RegisterTaskDefinition")
    }

    static func validate(_ input: ECSAPI.RegisterTaskDefinitionRequest) throws {
        guard let family = input.family, !family.isEmpty else { throw error("Family should not be null or empty.") }
        guard family.count <= 255, family.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw error("Family contains invalid characters.")
        }
        let containers = input.containerDefinitions ?? []
        guard !containers.isEmpty else { throw error("Container list cannot be empty.") }
        for container in containers {
            guard let name = container.name, !name.isEmpty else { throw error("Container.name should not be null or empty.") }
            guard let image = container.image, !image.isEmpty else { throw error("Container.image should not be null or empty.") }
        }
        if let tags = input.tags, tags.isEmpty { throw error("Tags can not be empty.", "InvalidParameterException") }
        let fargate = input.requiresCompatibilities?.contains("FARGATE") ?? false
        if fargate {
            guard input.networkMode == "awsvpc" else {
                throw error("Fargate only supports network mode 'awsvpc'.")
            }
            guard let cpu = input.cpu.flatMap(TaskSize.cpuUnits), let memory = input.memory.flatMap(TaskSize.memoryMiB),
                TaskSize.fargateAllows(cpu: cpu, memory: memory)
            else {
                throw error("No Fargate configuration exists for given values.")
            }
        } else if input.memory == nil, containers.contains(where: { $0.memory == nil && $0.memoryReservation == nil }) {
            throw error(
                "Invalid setting for container '\(containers.first { $0.memory == nil && $0.memoryReservation == nil }?.name ?? "")'. At least one of 'memory' or 'memoryReservation' must be specified."
            )
        }
    }

    /// The stored task definition: the request plus ECS's defaults and bookkeeping.
    static func register(
        _ input: ECSAPI.RegisterTaskDefinitionRequest, revision: Int, arn: String, registeredBy: String,
        now: Date
    ) -> ECSAPI.TaskDefinition {
        let networkMode = input.networkMode ?? "bridge"
        let containers = (input.containerDefinitions ?? []).map { fill($0, networkMode: networkMode) }
        let fargate = input.requiresCompatibilities?.contains("FARGATE") ?? false
        return ECSAPI.TaskDefinition(
            taskDefinitionArn: arn, containerDefinitions: containers, family: input.family,
            taskRoleArn: input.taskRoleArn, executionRoleArn: input.executionRoleArn, networkMode: networkMode,
            revision: revision, volumes: (input.volumes ?? []).map(fill), status: ECSStatus.active,
            requiresAttributes: [], placementConstraints: input.placementConstraints ?? [],
            compatibilities: fargate ? ["EC2", "FARGATE"] : ["EC2"], runtimePlatform: input.runtimePlatform,
            requiresCompatibilities: input.requiresCompatibilities, cpu: input.cpu.flatMap(TaskSize.cpuUnits).map(String.init) ?? input.cpu,
            memory: input.memory.flatMap(TaskSize.memoryMiB).map(String.init) ?? input.memory,
            inferenceAccelerators: input.inferenceAccelerators, pidMode: input.pidMode, ipcMode: input.ipcMode,
            proxyConfiguration: input.proxyConfiguration.map { proxy in
                var proxy = proxy
                proxy.type = proxy.type ?? "APPMESH"
                return proxy
            },
            registeredAt: Timestamp(now), registeredBy: registeredBy, ephemeralStorage: input.ephemeralStorage,
            enableFaultInjection: input.enableFaultInjection ?? false)
    }

    /// What ECS writes into a container definition that the request left out.
    static func fill(_ input: ECSAPI.ContainerDefinition, networkMode: String) -> ECSAPI.ContainerDefinition {
        var container = input
        container.essential = container.essential ?? true
        container.cpu = container.cpu ?? 0
        container.portMappings = (container.portMappings ?? []).map { mapping in
            var mapping = mapping
            mapping.`protocol` = mapping.`protocol` ?? "tcp"
            if mapping.hostPort == nil {
                mapping.hostPort = (networkMode == "awsvpc" || networkMode == "host") ? mapping.containerPort : 0
            }
            return mapping
        }
        // ECS keeps environment variables in no particular order and drops those without a value.
        container.environment = (container.environment ?? []).filter { $0.value != nil }.sorted { ($0.name ?? "") < ($1.name ?? "") }
        container.mountPoints = container.mountPoints ?? []
        container.volumesFrom = container.volumesFrom ?? []
        container.systemControls = container.systemControls ?? []
        if var health = container.healthCheck {
            health.interval = health.interval ?? 30
            health.retries = health.retries ?? 3
            health.timeout = health.timeout ?? 5
            container.healthCheck = health
        }
        return container
    }

    static func fill(_ volume: ECSAPI.Volume) -> ECSAPI.Volume {
        var volume = volume
        if var docker = volume.dockerVolumeConfiguration {
            docker.scope = docker.scope ?? "task"
            docker.driver = docker.driver ?? "local"
            volume.dockerVolumeConfiguration = docker
        }
        if var efs = volume.efsVolumeConfiguration {
            efs.rootDirectory = efs.rootDirectory ?? "/"
            volume.efsVolumeConfiguration = efs
        }
        return volume
    }
}
