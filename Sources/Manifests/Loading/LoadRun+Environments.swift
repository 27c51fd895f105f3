import Foundation

/// An environment's overlay for one service, `environments/<env>/<service>.yaml`.
struct Overlay: Sendable {
    let service: String
    let file: String
    let images: Node?
    let taskDefinition: Node?
    let settings: Node?
    let codeDeploy: Node?
    /// The memo's stamp of the read this came from: renderings compare it.
    var stamp: UInt64 = 0
    /// The file, relative to the manifest root.
    var path: String = ""
}

extension LoadRun {
    mutating func readEnvironment(
        _ name: String, config: ConfigRead?, bases: [String: ServiceBase],
        diagnostics: inout Diagnostics
    ) -> (Environment, [Overlay])? {
        let folder = "environments/\(name)"
        guard let path = findFile(folder, "environment", diagnostics: &diagnostics) else {
            diagnostics.error("environments/\(name)/ has no environment.yaml", at: location("\(folder)/environment.yaml"))
            return nil
        }
        if !TaskDefinitionChecks.isValidName(name) {
            diagnostics.error("environment name '\(name)' may only hold letters, digits, '-' and '_'", at: location(path))
        }
        guard let node = parseChecked(path, as: BerthShapes.environmentFile, diagnostics: &diagnostics) else { return nil }
        let target = readTarget(
            node["target"] ?? config?.config.defaultTarget, environment: name,
            file: location(path), diagnostics: &diagnostics)
        let vars = scalarMap(node["vars"], field: "vars", diagnostics: &diagnostics)
        let release = scalarMap(node["release"], field: "release", diagnostics: &diagnostics)
        var policy = Policy()
        if let p = node["policy"] {
            func flag(_ key: String) -> Bool? {
                if case .bool(let b)? = p[key]?.value { return b }
                return nil
            }
            policy.protected = flag("protected") ?? policy.protected
            policy.autoSync = flag("autoSync") ?? policy.autoSync
            policy.selfHeal = flag("selfHeal") ?? policy.selfHeal
            policy.prune = flag("prune") ?? policy.prune
            policy.requireSignedCommits = flag("requireSignedCommits") ?? policy.requireSignedCommits
            policy.allowMutableTags = flag("allowMutableTags") ?? policy.allowMutableTags
            policy.revertOnRollback = flag("revertOnRollback") ?? policy.revertOnRollback
            if case .string(let branch)? = p["deployFrom"]?.value {
                let name = branch.hasPrefix("refs/heads/") ? String(branch.dropFirst("refs/heads/".count)) : branch
                if name.isEmpty || name.contains("..") || name.contains(where: { $0.isWhitespace || "~^:?*[\\".contains($0) }) {
                    diagnostics.error("'\(branch)' is not a branch name", at: p["deployFrom"]!.location, field: "policy.deployFrom")
                } else {
                    policy.deployFrom = name
                }
            }
        }

        var overlays: [Overlay] = []
        var overlaid = Set<String>()
        for file in files.children(of: folder) {
            let base = String(file.split(separator: "/").last!)
            guard let dot = base.lastIndex(of: "."), ManifestLoader.extensions.contains(String(base[base.index(after: dot)...])) else {
                continue
            }
            let service = String(base[..<dot])
            if ManifestLoader.reservedEnvironmentFiles.contains(service) { continue }
            if let why = files.notAFolder("services/\(service)") {
                diagnostics.error("overlay for service '\(service)', but \(why)", at: location(file))
                continue
            }
            guard bases[service] != nil || serviceFolders.contains(service) else {
                diagnostics.error(
                    "overlay for service '\(service)', but services/\(service)/service.yaml does not exist"
                        + Suggestion.hint(for: service, in: bases.keys.sorted()), at: location(file))
                continue
            }
            if overlaid.contains(service) {
                diagnostics.error("more than one overlay for service '\(service)'; keep one", at: location(file))
                continue
            }
            let read = piece(\.overlays, file) { run, diagnostics in run.readOverlay(file, service: service, diagnostics: &diagnostics) }
            diagnostics.append(contentsOf: read.diagnostics)
            guard var overlay = read.value else { continue }
            overlay.stamp = read.stamp
            overlay.path = file
            overlays.append(overlay)
            overlaid.insert(service)
        }
        let freeze = readFreeze(folder, diagnostics: &diagnostics)
        let serviceNames = overlays.map(\.service).sorted()
        let tasks = readTasks(node["tasks"], services: serviceNames, diagnostics: &diagnostics)
        let waves = readWaves(node["waves"], services: serviceNames, diagnostics: &diagnostics)
        guard let target else { return nil }
        var environment = Environment(
            name: name, file: files.display(path), target: target, vars: vars, release: release,
            policy: policy, services: serviceNames, freeze: freeze, tasks: tasks, waves: waves)
        checkVariables(of: environment, in: node, diagnostics: &diagnostics)
        environment.notifications =
            (config?.config.notifications ?? [])
            + Self.readNotifications(node["notifications"], diagnostics: &diagnostics)
        return (environment, overlays)
    }

    /// One overlay file, parsed and checked on its own.
    func readOverlay(_ file: String, service: String, diagnostics: inout Diagnostics) -> Overlay? {
        guard let raw = parse(file, diagnostics: &diagnostics) else { return nil }
        var node = raw.isNull ? Node(.map([]), at: raw.location) : raw
        if let td = node["taskDefinition"] {
            node = node.setting("taskDefinition", to: TaskDefinitionInput.normalize(td, field: "taskDefinition", diagnostics: &diagnostics))
        }
        var checker = SchemaChecker()
        checker.passUnknown = allowUnknownFields
        checker.quietUnknown = true
        let checked = checker.check(node, as: .structure(BerthShapes.overlayFile), field: "")
        diagnostics.append(contentsOf: checker.diagnostics)
        return Overlay(
            service: service, file: files.display(file), images: checked["images"],
            taskDefinition: checked["taskDefinition"], settings: checked["service"], codeDeploy: checked["codeDeploy"])
    }

    func readTasks(_ node: Node?, services: [String], diagnostics: inout Diagnostics) -> [OneOffTask] {
        var names = Set<String>()
        return (node?.items ?? []).enumerated().compactMap { index, item in
            guard let name = item["name"]?.string, let when = item["when"]?.string.flatMap(OneOffTask.When.init),
                let serviceNode = item["service"], let service = serviceNode.string
            else { return nil }
            if !names.insert(name).inserted {
                diagnostics.error("two tasks are named '\(name)'", at: item["name"]!.location, field: "tasks[\(index)].name")
            }
            guard services.contains(service) else {
                diagnostics.error(
                    "task '\(name)' uses service '\(service)', which does not run here" + Suggestion.hint(for: service, in: services),
                    at: serviceNode.location, field: "tasks[\(index)].service")
                return nil
            }
            var timeout = 600
            if case .int(let seconds)? = item["timeoutSeconds"]?.value { timeout = seconds }
            return OneOffTask(
                name: name, when: when, service: service, container: item["container"]?.string,
                command: item["command"]?.items?.compactMap(\.string), timeoutSeconds: timeout)
        }
    }

    func readWaves(_ node: Node?, services: [String], diagnostics: inout Diagnostics) -> [[String]] {
        var seen: [String: SourceLocation] = [:]
        return (node?.items ?? []).enumerated().map { index, wave in
            (wave.items ?? []).compactMap { item -> String? in
                guard let name = item.string else { return nil }
                if let first = seen[name] {
                    diagnostics.error("service '\(name)' is in two waves (first at \(first))", at: item.location, field: "waves[\(index)]")
                    return nil
                }
                seen[name] = item.location
                guard services.contains(name) else {
                    diagnostics.error(
                        "waves names service '\(name)', which does not run here" + Suggestion.hint(for: name, in: services),
                        at: item.location, field: "waves[\(index)]")
                    return nil
                }
                return name
            }
        }
    }

    func readFreeze(_ folder: String, diagnostics: inout Diagnostics) -> Freeze? {
        guard let path = findFile(folder, "freeze", diagnostics: &diagnostics),
            let node = parseChecked(path, as: BerthShapes.freezeFile, diagnostics: &diagnostics),
            let reason = node["reason"]?.string
        else { return nil }
        var until: Date?
        if let untilNode = node["until"], let text = untilNode.string {
            until = Freeze.parseDate(text)
            if until == nil {
                diagnostics.error("until '\(text)' is not a date (2026-12-24 or 2026-12-24T18:00:00Z)", at: untilNode.location, field: "until")
            }
        }
        return Freeze(reason: reason, by: node["by"]?.string, until: until, file: files.display(path))
    }

    /// A variable that names an unknown one, a cycle, or an expansion bomb is an error where the
    /// variable is written, once for the environment rather than at every use.
    func checkVariables(of environment: Environment, in node: Node, diagnostics: inout Diagnostics) {
        let expansion = VariableExpansion.expand(ServiceRenderer.variables(of: environment, service: "service"))
        // The first few say what is wrong; thousands of lines would only hide that.
        let causesFirst = expansion.problems.sorted {
            ($0.value.hasSuffix("which cannot be expanded") ? 1 : 0, $0.key)
                < ($1.value.hasSuffix("which cannot be expanded") ? 1 : 0, $1.key)
        }
        for (name, problem) in causesFirst.prefix(20) {
            guard let dot = name.firstIndex(of: "."), let entry = node[String(name[..<dot])]?.entry(String(name[name.index(after: dot)...]))
            else { continue }
            diagnostics.error("variable '\(name)' \(problem)", at: entry.node.location, field: name)
        }
    }

    /// `vars:` and `release:`: names to scalar values, read as text.
    func scalarMap(_ node: Node?, field: String, diagnostics: inout Diagnostics) -> [String: String] {
        var result: [String: String] = [:]
        for entry in node?.entries ?? [] {
            guard let text = entry.node.scalarText else {
                diagnostics.error(
                    "'\(field).\(entry.key)' must be a single value (text, number or true/false)",
                    at: entry.node.location, field: "\(field).\(entry.key)")
                continue
            }
            result[entry.key] = text
        }
        return result
    }

    func readTarget(_ node: Node?, environment: String, file: SourceLocation, diagnostics: inout Diagnostics) -> Target? {
        guard let node, let entries = node.entries else {
            diagnostics.error(
                "no target: set 'target: {local: {}}' or 'target: {aws: {region, cluster}}' here or in berth.yaml", at: file,
                field: "target")
            return nil
        }
        let kinds = entries.filter { !$0.node.isNull }
        guard kinds.count == 1, let kind = kinds.first else {
            diagnostics.error(
                kinds.isEmpty ? "target names no kind; use 'local' or 'aws'" : "target names both 'local' and 'aws'; choose one",
                at: node.location, field: "target")
            return nil
        }
        let settings = kind.node
        func text(_ key: String) -> String? { settings[key]?.string }
        if kind.key == "local" {
            // A manifest says where in the repository's folder the state goes, never where on the
            // host: an absolute path or `..` would let a commit choose what the controller writes.
            if let state = settings["stateFile"], let path = state.string,
                path.hasPrefix("/") || path.hasPrefix("~") || path.split(separator: "/").contains("..") || path.isEmpty
            {
                diagnostics.error(
                    "stateFile '\(path)' must be a path inside the repository (no '/' at the start, no '..'); "
                        + "an operator sets a host path with BERTH_LOCAL_STATE_FILE", at: state.location, field: "target.local.stateFile")
            }
            return .local(
                LocalTarget(
                    cluster: text("cluster") ?? environment,
                    region: text("region") ?? LocalTarget.defaultRegion,
                    accountId: text("accountId") ?? LocalTarget.defaultAccountId,
                    stateFile: text("stateFile")))
        }
        guard let region = text("region"), let cluster = text("cluster") else { return nil }
        if let account = settings["accountId"], let id = account.string, !(id.count == 12 && id.allSatisfy(\.isASCIIDigitCharacter)) {
            diagnostics.error("accountId must be 12 digits (quote it to keep leading zeros)", at: account.location, field: "target.aws.accountId")
        }
        if let role = settings["roleArn"], let arn = role.string, !(arn.hasPrefix("arn:") && arn.contains(":role/")) {
            diagnostics.error(
                "roleArn '\(arn)' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)", at: role.location,
                field: "target.aws.roleArn")
        }
        return .aws(
            AWSTarget(
                region: region, cluster: cluster, accountId: text("accountId"), roleArn: text("roleArn"),
                externalId: text("externalId")))
    }
}
