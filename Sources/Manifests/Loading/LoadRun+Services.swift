/// A service's base, `services/<service>/service.yaml`, checked but not yet merged.
struct ServiceBase: Sendable {
    let name: String
    let file: String
    let taskDefinition: Node?
    let settings: Node?
    let codeDeploy: Node?
}

extension LoadRun {
    func readService(_ name: String, diagnostics: inout Diagnostics) -> ServiceBase? {
        let folder = "services/\(name)"
        guard let path = findFile(folder, "service", diagnostics: &diagnostics) else {
            diagnostics.error("services/\(name)/ has no service.yaml", at: location("\(folder)/service.yaml"))
            return nil
        }
        if !TaskDefinitionChecks.isValidName(name) {
            diagnostics.error("service name '\(name)' may only hold letters, digits, '-' and '_'", at: location(path))
        }
        guard let raw = parse(path, diagnostics: &diagnostics) else { return nil }
        let node = raw.isNull ? Node(.map([]), at: raw.location) : raw
        var taskDefinition = node["taskDefinition"].map {
            TaskDefinitionInput.normalize($0, field: "taskDefinition", diagnostics: &diagnostics)
        }
        if let fileEntry = node.entry("taskDefinitionFile") {
            if taskDefinition != nil {
                diagnostics.error(
                    "set either 'taskDefinition' or 'taskDefinitionFile', not both", at: fileEntry.keyLocation,
                    field: "taskDefinitionFile")
            } else {
                taskDefinition = readTaskDefinitionFile(fileEntry.node, folder: folder, diagnostics: &diagnostics)
            }
        }
        var checker = SchemaChecker()
        checker.passUnknown = allowUnknownFields
        checker.quietUnknown = true
        let checked = checker.check(
            node.setting("taskDefinition", to: taskDefinition ?? Node(.null, at: node.location)),
            as: .structure(BerthShapes.serviceFile), field: "")
        diagnostics.append(contentsOf: checker.diagnostics)
        if taskDefinition == nil {
            diagnostics.error("service '\(name)' has no 'taskDefinition' (or 'taskDefinitionFile')", at: node.location)
        }
        let td = checked["taskDefinition"].flatMap { $0.isNull ? nil : $0 }
        return ServiceBase(name: name, file: files.display(path), taskDefinition: td, settings: checked["service"], codeDeploy: checked["codeDeploy"])
    }

    /// `taskDefinitionFile: task-definition.json`, relative to the service's folder and never
    /// outside the manifest root.
    func readTaskDefinitionFile(_ node: Node, folder: String, diagnostics: inout Diagnostics) -> Node? {
        guard let relative = node.string, !relative.isEmpty else {
            diagnostics.error("taskDefinitionFile must be a path", at: node.location, field: "taskDefinitionFile")
            return nil
        }
        guard let path = ManifestPath.resolve(relative, from: folder), !relative.hasPrefix("/") else {
            diagnostics.error("path '\(relative)' leaves the manifest root", at: node.location, field: "taskDefinitionFile")
            return nil
        }
        guard has(path) else {
            diagnostics.error(
                "taskDefinitionFile '\(relative)' not found (looked for \(files.display(path)))", at: node.location,
                field: "taskDefinitionFile")
            return nil
        }
        guard let parsed = parse(path, diagnostics: &diagnostics) else { return nil }
        return TaskDefinitionInput.normalize(parsed, field: "taskDefinition", diagnostics: &diagnostics)
    }
}
