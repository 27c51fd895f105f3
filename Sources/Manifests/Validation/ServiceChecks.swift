/// Checks on rendered service settings and `codeDeploy:` that no single field's type can
/// express, each something ECS or CodeDeploy would refuse (or worse, take): tags, the native
/// strategies' ranges, and what a CodeDeploy deployment needs.
struct ServiceChecks {
    var diagnostics = Diagnostics()

    mutating func run(_ settings: Node) {
        checkTags(settings["tags"], field: "service.tags")
        checkStrategy(settings["deploymentConfiguration"])
        let controller = settings["deploymentController"]?["type"]?.string
        if controller == "CODE_DEPLOY" {
            let balancer = settings["loadBalancers"]?.items?.first
            if balancer?["containerName"]?.string == nil || balancer?["containerPort"] == nil {
                diagnostics.error(
                    "a CODE_DEPLOY service needs a load balancer with containerName and containerPort: CodeDeploy's AppSpec "
                        + "names them",
                    at: settings["loadBalancers"]?.location ?? settings.entry("deploymentController")?.keyLocation ?? settings.location,
                    field: "service.loadBalancers")
            }
        }
    }

    /// Tag keys as ECS takes them: not empty, once each, and not in AWS's `aws:` or berth's
    /// own `berth:` namespace (berth sets those; a manifest that did would fight it forever).
    mutating func checkTags(_ tags: Node?, field: String) {
        var seen: [String: SourceLocation] = [:]
        for (index, tag) in (tags?.items ?? []).enumerated() {
            guard let key = tag["key"]?.string else { continue }
            let at = tag["key"]?.location ?? tag.location, path = "\(field)[\(index)].key"
            if key.isEmpty {
                diagnostics.error("a tag needs a key", at: at, field: path)
            } else if key.lowercased().hasPrefix("aws:") {
                diagnostics.error("tag key '\(key)': the aws: prefix is AWS's own; ECS refuses it", at: at, field: path)
            } else if key.hasPrefix("berth:") {
                diagnostics.error("tag key '\(key)': berth sets the berth: tags itself", at: at, field: path)
            } else if let first = seen[key] {
                diagnostics.error("tag key '\(key)' appears twice (first at \(first))", at: at, field: path)
            } else {
                seen[key] = at
            }
        }
    }

    /// The ranges ECS documents for linear and canary deployments, and each configuration only
    /// with its strategy.
    mutating func checkStrategy(_ configuration: Node?) {
        guard let configuration else { return }
        let strategy = configuration["strategy"]?.string ?? "ROLLING"
        for (key, owner, limits) in [
            ("linearConfiguration", "LINEAR", [("stepPercent", 3.0...100), ("stepBakeTimeInMinutes", 0...1440)]),
            ("canaryConfiguration", "CANARY", [("canaryPercent", 0.1...100), ("canaryBakeTimeInMinutes", 0...1440)]),
        ] {
            guard let node = configuration[key], !node.isNull else { continue }
            if strategy != owner {
                diagnostics.error(
                    "\(key) is for strategy \(owner), and this one is \(strategy)", at: node.location,
                    field: "service.deploymentConfiguration.\(key)")
            }
            for (name, range) in limits {
                guard let value = node[name], let number = value.scalarText.flatMap(Double.init) else { continue }
                if !range.contains(number) {
                    diagnostics.error(
                        "\(name) must be between \(Self.text(range.lowerBound)) and \(Self.text(range.upperBound)), "
                            + "not \(value.scalarText ?? "")", at: value.location, field: "service.deploymentConfiguration.\(key).\(name)")
                }
            }
        }
        for (index, hook) in (configuration["lifecycleHooks"]?.items ?? []).enumerated() {
            guard let arn = hook["hookTargetArn"] else { continue }
            if !Self.isARN(arn.string ?? "") {
                diagnostics.error(
                    "hookTargetArn must be an ARN (a Lambda function's)", at: arn.location,
                    field: "service.deploymentConfiguration.lifecycleHooks[\(index)].hookTargetArn")
            }
        }
    }

    /// Names CodeDeploy takes, and hooks that name a Lambda function.
    mutating func checkCodeDeploy(_ node: Node) {
        for key in ["application", "deploymentGroup", "deploymentConfig"] {
            guard let value = node[key], let text = value.string else { continue }
            if text.isEmpty || text.count > 100 || text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) {
                diagnostics.error(
                    "codeDeploy.\(key) must be 1 to 100 characters, without control characters", at: value.location,
                    field: "codeDeploy.\(key)")
            }
        }
        for entry in node["hooks"]?.entries ?? [] {
            guard let function = entry.node.string, Self.isLambda(function) else {
                diagnostics.error(
                    "codeDeploy.hooks.\(entry.key) must name a Lambda function (its name or ARN)", at: entry.node.location,
                    field: "codeDeploy.hooks.\(entry.key)")
                continue
            }
        }
    }

    static func text(_ number: Double) -> String {
        number == number.rounded() ? String(Int(number)) : String(number)
    }

    /// `arn:partition:service:region:account:resource`, printable, at most 2,048 characters.
    static func isARN(_ text: String) -> Bool {
        text.hasPrefix("arn:") && text.split(separator: ":", omittingEmptySubsequences: false).count >= 6 && text.count <= 2048
            && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f }
    }

    /// A Lambda function's name (with an optional version or alias) or ARN.
    static func isLambda(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 170 else { return false }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_:$.")
        return text.allSatisfy { allowed.contains($0) } && (!text.hasPrefix("arn:") || text.contains(":lambda:"))
    }
}
