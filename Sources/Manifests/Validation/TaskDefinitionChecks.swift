import ECSModel

/// Checks on a rendered task definition that no single field's type can express: references
/// between containers and volumes, duplicates, Fargate's rules, image and secret hygiene.
package struct TaskDefinitionChecks {
    let policy: Policy
    let environment: String
    var diagnostics = Diagnostics()

    init(policy: Policy, environment: String) {
        self.policy = policy
        self.environment = environment
    }

    mutating func run(_ td: Node, field: String) {
        let containers = td["containerDefinitions"]?.items ?? []
        if containers.isEmpty {
            diagnostics.error(
                "a task definition needs at least one entry in 'containerDefinitions'", at: td.location,
                field: "\(field).containerDefinitions")
        }
        let networkMode = td["networkMode"]?.string ?? "bridge"
        var names: [String: SourceLocation] = [:]
        for (index, container) in containers.enumerated() {
            let path = "\(field).containerDefinitions[\(index)]"
            guard let name = container["name"]?.string, !name.isEmpty else {
                diagnostics.error("a container needs a 'name'", at: container.location, field: path)
                continue
            }
            if let first = names[name] {
                diagnostics.error("duplicate container name '\(name)' (first at \(first))", at: container["name"]!.location, field: "\(path).name")
            } else {
                names[name] = container["name"]!.location
            }
        }
        let volumes = Set((td["volumes"]?.items ?? []).compactMap { $0["name"]?.string })
        var taskPorts: [String: SourceLocation] = [:]
        for (index, container) in containers.enumerated() {
            let path = "\(field).containerDefinitions[\(index)]"
            let name = container["name"]?.string ?? "#\(index)"
            checkImage(container, path: path, name: name)
            checkReferences(container, path: path, containers: names, volumes: volumes)
            checkPorts(container, path: path, networkMode: networkMode, taskPorts: &taskPorts)
            checkPlaintextSecrets(container, path: path)
        }
        checkDependencyCycles(containers, field: field)
        checkFargate(td, field: field, networkMode: networkMode)
        checkPlaceholders(td) { field }
        if let family = td["family"], let text = family.string, !text.isEmpty, !Self.isValidName(text) {
            diagnostics.error(
                "family '\(text)' may only hold letters, digits, '-' and '_' (at most 255)", at: family.location, field: "\(field).family")
        }
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 255 && name.allSatisfy(isNameCharacter)
    }

    /// What ECS allows in family, service, cluster and (berth's) environment names.
    static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_")
    }

    private mutating func checkImage(_ container: Node, path: String, name: String) {
        // These checks see the task definition after every overlay of the environment: a base may
        // leave the image to overlays, but what this environment would register must have one
        // (ECS refuses it otherwise, after other services may already have been registered).
        guard let image = container["image"] else {
            diagnostics.error(
                "container '\(name)' has no image in \(environment); set it in the environment overlay's images: "
                    + "(ECS refuses to register a container without one)", at: container.location, field: "\(path).image")
            return
        }
        guard let text = image.string else { return }
        if text.trimmed.isEmpty {
            diagnostics.error(
                "container '\(name)' has an empty image in \(environment); ECS refuses to register it",
                at: image.location, field: "\(path).image")
            return
        }
        if policy.protected && !policy.allowMutableTags && ImageReference(text).isMutable {
            diagnostics.error(
                "image '\(text)' is mutable (no tag or 'latest'); \(environment) is protected: pin a version tag or digest, or set policy.allowMutableTags",
                at: image.location, field: "\(path).image")
        }
    }

    private mutating func checkReferences(_ container: Node, path: String, containers: [String: SourceLocation], volumes: Set<String>) {
        let known = containers.keys.sorted()
        func mustBeContainer(_ node: Node?, _ value: String?, _ what: String, _ field: String) {
            guard let node, let value, !value.isEmpty, containers[value] == nil else { return }
            diagnostics.error(
                "\(what) names container '\(value)', which this task definition does not have"
                    + Suggestion.hint(for: value, in: known), at: node.location, field: field)
        }
        for (i, dep) in (container["dependsOn"]?.items ?? []).enumerated() {
            mustBeContainer(dep["containerName"], dep["containerName"]?.string, "dependsOn", "\(path).dependsOn[\(i)].containerName")
        }
        for (i, link) in (container["links"]?.items ?? []).enumerated() {
            let target = link.string.map { String($0.split(separator: ":", maxSplits: 1).first ?? "") }
            mustBeContainer(link, target, "links", "\(path).links[\(i)]")
        }
        for (i, from) in (container["volumesFrom"]?.items ?? []).enumerated() {
            mustBeContainer(from["sourceContainer"], from["sourceContainer"]?.string, "volumesFrom", "\(path).volumesFrom[\(i)].sourceContainer")
        }
        for (i, mount) in (container["mountPoints"]?.items ?? []).enumerated() {
            guard let source = mount["sourceVolume"], let name = source.string, !name.isEmpty, !volumes.contains(name) else { continue }
            diagnostics.error(
                "mountPoints names volume '\(name)', which is not in 'volumes'" + Suggestion.hint(for: name, in: volumes.sorted()),
                at: source.location, field: "\(path).mountPoints[\(i)].sourceVolume")
        }
    }

    /// In awsvpc and host mode all containers share one network namespace, so a port may be
    /// used once per task; in bridge mode once per container.
    private mutating func checkPorts(_ container: Node, path: String, networkMode: String, taskPorts: inout [String: SourceLocation]) {
        var containerPorts: [String: SourceLocation] = [:]
        let shared = networkMode == "awsvpc" || networkMode == "host"
        for (i, mapping) in (container["portMappings"]?.items ?? []).enumerated() {
            guard let portNode = mapping["containerPort"], case .int(let port) = portNode.value, port != 0 else { continue }
            let key = "\(port)/\(mapping["protocol"]?.string ?? "tcp")"
            if let first = shared ? taskPorts[key] : containerPorts[key] {
                diagnostics.error(
                    "container port \(key) is mapped twice (first at \(first))\(shared ? " in one \(networkMode) task" : "")",
                    at: portNode.location, field: "\(path).portMappings[\(i)].containerPort")
            }
            containerPorts[key] = containerPorts[key] ?? portNode.location
            taskPorts[key] = taskPorts[key] ?? portNode.location
        }
    }

    /// Secrets belong in `secrets:` (valueFrom). The value itself is never repeated in the message.
    private mutating func checkPlaintextSecrets(_ container: Node, path: String) {
        for (i, variable) in (container["environment"]?.items ?? []).enumerated() {
            guard let name = variable["name"]?.string, let valueNode = variable["value"], let value = valueNode.string else { continue }
            warnIfSecret(value, name: name, what: "environment variable '\(name)'", at: valueNode, field: "\(path).environment[\(i)].value")
        }
        for label in container["dockerLabels"]?.entries ?? [] {
            guard let value = label.node.string else { continue }
            warnIfSecret(value, name: nil, what: "docker label '\(label.key)'", at: label.node, field: "\(path).dockerLabels.\(label.key)")
        }
        for option in container["logConfiguration"]?["options"]?.entries ?? [] {
            guard let value = option.node.string else { continue }
            warnIfSecret(
                value, name: option.key, what: "log option '\(option.key)'", at: option.node,
                field: "\(path).logConfiguration.options.\(option.key)", moveTo: "logConfiguration.secretOptions")
        }
    }

    /// `what` and `field` are spelled out only for a value that is a secret.
    private mutating func warnIfSecret(
        _ value: String, name: String?, what: @autoclosure () -> String, at node: Node, field: @autoclosure () -> String,
        moveTo: String = "'secrets'"
    ) {
        guard SecretDetection.isSecret(name: name, value: value) else { return }
        let holds = SecretDetection.kind(ofValue: value).map { "holds \($0)" } ?? "looks like a secret"
        diagnostics.warning(
            "\(what()) \(holds) in plain text; move it to \(moveTo) with valueFrom (SSM or Secrets Manager)",
            at: node.location, field: field())
    }

    private mutating func checkDependencyCycles(_ containers: [Node], field: String) {
        var edges: [String: [String]] = [:]
        var locations: [String: SourceLocation] = [:]
        for container in containers {
            guard let name = container["name"]?.string else { continue }
            edges[name] = (container["dependsOn"]?.items ?? []).compactMap { $0["containerName"]?.string }
            locations[name] = container.location
        }
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var reported = false
        func visit(_ name: String, _ trail: [String]) {
            guard !reported else { return }
            if state[name] == 1 {
                let cycle = trail[(trail.firstIndex(of: name) ?? 0)...] + [name]
                diagnostics.error(
                    "containers depend on each other in a cycle: \(cycle.joined(separator: " -> "))",
                    at: locations[name] ?? SourceLocation(file: ""), field: "\(field).containerDefinitions")
                reported = true
                return
            }
            guard state[name] == nil, edges[name] != nil else { return }
            state[name] = 1
            for next in edges[name]! { visit(next, trail + [name]) }
            state[name] = 2
        }
        for name in edges.keys.sorted() { visit(name, []) }
    }

    private mutating func checkFargate(_ td: Node, field: String, networkMode: String) {
        guard let compat = td["requiresCompatibilities"], (compat.items ?? []).contains(where: { $0.string == "FARGATE" }) else { return }
        if td["networkMode"]?.string != "awsvpc" {
            diagnostics.error(
                "Fargate requires networkMode: awsvpc" + (td["networkMode"] == nil ? " (it is not set)" : ""),
                at: td["networkMode"]?.location ?? compat.location, field: "\(field).networkMode")
        }
        guard let cpuNode = td["cpu"], let memoryNode = td["memory"] else {
            diagnostics.error("Fargate requires task-level 'cpu' and 'memory'", at: td.location, field: field)
            return
        }
        guard let cpuText = cpuNode.scalarText, let memoryText = memoryNode.scalarText,
            !cpuText.includes("${"), !memoryText.includes("${")
        else { return }
        guard let cpu = TaskSize.cpuUnits(cpuText) else {
            diagnostics.error("cpu '\(cpuText)' is not a size (e.g. \"256\" or \"1 vCPU\")", at: cpuNode.location, field: "\(field).cpu")
            return
        }
        guard let memory = TaskSize.memoryMiB(memoryText) else {
            diagnostics.error("memory '\(memoryText)' is not a size (e.g. \"512\" or \"2GB\")", at: memoryNode.location, field: "\(field).memory")
            return
        }
        guard let valid = TaskSize.validMemory(forCPU: cpu) else {
            diagnostics.error(
                "Fargate does not offer cpu \(cpu); choose one of \(TaskSize.validCPU.map(String.init).joined(separator: ", "))",
                at: cpuNode.location, field: "\(field).cpu")
            return
        }
        if !valid.contains(memory) {
            diagnostics.error(
                "Fargate does not offer memory \(memory) MiB with cpu \(cpu); valid: \(TaskSize.describe(valid))",
                at: memoryNode.location, field: "\(field).memory")
        }
        let os = td["runtimePlatform"]?["operatingSystemFamily"]?.string ?? "LINUX"
        if os.hasPrefix("WINDOWS"), cpu < 1024 {
            diagnostics.error("Windows on Fargate needs at least 1 vCPU (cpu 1024)", at: cpuNode.location, field: "\(field).cpu")
        }
    }

    /// Every string of the task definition is looked at, and nearly none holds a placeholder:
    /// a field's path is only spelled out for one that does.
    private mutating func checkPlaceholders(_ node: Node, field: () -> String) {
        switch node.value {
        case .string(let text):
            if let placeholder = TemplatePlaceholder.first(in: text) {
                // `{{ }}` is always a template; `<NAME>` is also the convention of CI steps that
                // substitute an image, which berth's images: replaces, so it only warns.
                let message =
                    "unrendered template placeholder \(placeholder): berth does not run templates; use ${vars.NAME} or images: (see docs/manifests.md)"
                if placeholder.hasPrefix("{{") {
                    diagnostics.error(message, at: node.location, field: field())
                } else {
                    diagnostics.warning(message, at: node.location, field: field())
                }
            }
        case .list(let items):
            for (i, item) in items.enumerated() { checkPlaceholders(item) { "\(field())[\(i)]" } }
        case .map(let entries):
            for entry in entries { checkPlaceholders(entry.node) { "\(field()).\(entry.key)" } }
        default:
            break
        }
    }
}
