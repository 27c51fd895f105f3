import Foundation

extension LoadRun {
    /// `review:` of berth.yaml, its own fields checked; what it names is checked by `checkReview`.
    mutating func readReview(_ node: Node?) -> ReviewTemplate? {
        guard let node, node.entries != nil, let from = node["from"]?.string else { return nil }
        let branches = (node["branches"]?.items ?? []).compactMap(\.string)
        if branches.isEmpty {
            global.error(
                "review.branches needs at least one branch glob (e.g. review/*)", at: node["branches"]?.location ?? node.location,
                field: "review.branches")
        }
        var pattern = ReviewTemplate.defaultNamePattern
        if let nameNode = node["name"], let text = nameNode.string {
            pattern = text
            let fixed = text.replacingOccurrences(of: "${branch}", with: "")
            if !text.contains("${branch}") {
                global.error(
                    "review.name '\(text)' must contain ${branch}, or every branch would get the same environment",
                    at: nameNode.location, field: "review.name")
            } else if !fixed.allSatisfy(TaskDefinitionChecks.isNameCharacter) {
                global.error(
                    "review.name '\(text)' may only hold letters, digits, '-', '_' and ${branch}", at: nameNode.location,
                    field: "review.name")
            } else if fixed.count > ReviewTemplate.maxNameLength - 8 {
                global.error(
                    "review.name '\(text)' leaves too little room for the branch (names are at most \(ReviewTemplate.maxNameLength) characters)",
                    at: nameNode.location, field: "review.name")
            }
        }
        var ttl: TimeInterval?
        if let ttlNode = node["ttl"], let text = ttlNode.string {
            ttl = DurationText.seconds(text)
            if ttl == nil || ttl == 0 {
                global.error("review.ttl '\(text)' is not a duration (e.g. 72h, 3d, 90m)", at: ttlNode.location, field: "review.ttl")
            }
        }
        var maximum: Int?
        if let maxNode = node["maxEnvironments"], case .int(let value) = maxNode.value {
            maximum = value
            if value < 1 {
                global.error("review.maxEnvironments must be at least 1", at: maxNode.location, field: "review.maxEnvironments")
            }
        }
        let services = node["services"].map { ($0.items ?? []).compactMap(\.string) }
        return ReviewTemplate(
            branches: branches, from: from, namePattern: pattern, cluster: node["cluster"]?.string, ttl: ttl,
            maxEnvironments: maximum, services: services)
    }

    /// What `review:` names must exist: the base environment, and the services in it.
    mutating func checkReview(_ template: ReviewTemplate, node: Node, environments: [Environment], names: [String]) {
        guard let base = environments.first(where: { $0.name == template.from }) else {
            if !names.contains(template.from) {
                global.error(
                    "review.from names environment '\(template.from)', but environments/\(template.from)/ does not exist"
                        + Suggestion.hint(for: template.from, in: names), at: node["from"]?.location ?? node.location, field: "review.from")
            }
            return
        }
        for (index, item) in (node["services"]?.items ?? []).enumerated() {
            guard let service = item.string, !base.services.contains(service) else { continue }
            global.error(
                "review.services names '\(service)', which does not run in \(base.name)" + Suggestion.hint(for: service, in: base.services),
                at: item.location, field: "review.services[\(index)]")
        }
        if let cluster = node["cluster"], let text = cluster.string, !TaskDefinitionChecks.isValidName(text) {
            global.error("review.cluster '\(text)' may only hold letters, digits, '-' and '_'", at: cluster.location, field: "review.cluster")
        }
    }

    /// Adds the review environment `request` asks for: its base environment's settings and
    /// overlays under the review name, limited to the template's services; target, policy and
    /// notifications from the tracked branch. The base's freeze is the base's own; revert
    /// commits are for shared branches.
    mutating func deriveReview(
        _ request: ReviewRequest, environments: inout [Environment], overlays: inout [String: [Overlay]],
        names: inout [String]
    ) {
        let identity = request.identity
        guard !names.contains(identity.name) else {
            global.error(
                "review environment '\(identity.name)' (branch \(identity.branch)) has the name of an environment in environments/; rename the branch",
                at: location("environments/\(identity.name)"))
            return
        }
        guard let base = environments.first(where: { $0.name == identity.base }) else {
            global.error(
                "review.from names environment '\(identity.base)', which branch \(identity.branch) does not have (or cannot load)",
                at: location("environments/\(identity.base)/environment.yaml"))
            return
        }
        let wanted = request.template.services.map(Set.init) ?? Set(base.services)
        let services = base.services.filter(wanted.contains)
        var policy = request.tracked.policy
        policy.revertOnRollback = false
        // A review environment runs its branch's commits: they are not merged by definition.
        policy.deployFrom = nil
        var derived = Environment(
            name: identity.name, file: base.file, target: request.target, vars: base.vars, release: base.release,
            policy: policy, services: services, freeze: nil,
            tasks: base.tasks.filter { services.contains($0.service) },
            waves: base.waves.map { $0.filter(services.contains) }.filter { !$0.isEmpty })
        derived.notifications = request.tracked.notifications
        derived.review = identity
        environments.append(derived)
        overlays[identity.name] = (overlays[base.name] ?? []).filter { services.contains($0.service) }
        names.append(identity.name)
    }
}
