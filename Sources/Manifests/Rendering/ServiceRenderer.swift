/// Renders one service in one environment: base + overlay merged, images pinned, variables
/// substituted, defaults filled, then checked as a whole.
struct ServiceRenderer {
    let environment: Environment
    let base: ServiceBase
    let overlay: Overlay
    var diagnostics = Diagnostics()
    /// berth.yaml's `allowUnknownFields` (`SchemaChecker.passUnknown`).
    var allowUnknownFields = false
    /// Carried into the result (`RenderedService.renderID`).
    var renderID: UInt64 = 0

    /// The environment's variables, expanded once for all its services (`VariableExpansion`).
    let expanded: [String: String]

    init(environment: Environment, base: ServiceBase, overlay: Overlay, expanded: [String: String]? = nil) {
        self.environment = environment
        self.base = base
        self.overlay = overlay
        self.expanded = expanded ?? Self.expansion(of: environment)
    }

    /// The environment's variables expanded for all its services, `${service}` left as a mark.
    static func expansion(of environment: Environment) -> [String: String] {
        VariableExpansion.forEnvironment(variables(of: environment))
    }

    /// Every `${name}` a manifest may use, expanded (a variable that cannot be was reported
    /// when the environment was read, and stays as written).
    var variables: ServiceVariables {
        VariableExpansion.forService(expanded, base.name)
    }

    /// The names as written: built-ins, `vars.*` and `release.*`.
    static func variables(of environment: Environment, service: String? = nil) -> [String: String] {
        var vars: [String: String] = ["env": environment.name, "aws.region": environment.target.region]
        if let service { vars["service"] = service }
        if let account = environment.target.accountId { vars["aws.accountId"] = account }
        for (key, value) in environment.vars { vars["vars.\(key)"] = value }
        for (key, value) in environment.release { vars["release.\(key)"] = value }
        return vars
    }

    mutating func render() -> RenderedService? {
        guard let baseTD = base.taskDefinition else { return nil }
        var td = baseTD
        if let overlayTD = overlay.taskDefinition, !overlayTD.isNull {
            td = Merge.merge(td, overlayTD, key: nil, diagnostics: &diagnostics, field: "taskDefinition")
        }
        td = applyImages(td)
        let interpolator = Interpolator(variables: variables)
        td = interpolator.apply(td, diagnostics: &diagnostics, field: "taskDefinition").droppingNulls()

        let family: String
        if environment.review != nil {
            // A review environment's names are its own, whatever the base environment chose.
            family = "\(environment.name)-\(base.name)"
            td = td.setting("family", to: .string(family, at: td.location))
        } else if let given = td["family"]?.string, !given.isEmpty {
            family = given
        } else {
            family = "\(environment.name)-\(base.name)"
            if td["family"] == nil {
                td = Node(
                    .map(
                        [Node.Entry(key: "family", keyLocation: td.location, node: .string(family, at: td.location))]
                            + (td.entries ?? [])), at: td.location)
            }
        }
        var checker = SchemaChecker(enforceRequired: true)
        checker.passUnknown = allowUnknownFields
        td = checker.check(td, as: .structure(BerthShapes.taskDefinition), field: "taskDefinition")
        var checks = TaskDefinitionChecks(policy: environment.policy, environment: environment.name)
        checks.run(td, field: "taskDefinition")

        var settings = base.settings ?? Node(.map([]), at: SourceLocation(file: base.file))
        if let overlayService = overlay.settings, !overlayService.isNull {
            settings =
                settings.isNull
                ? overlayService
                : Merge.merge(settings, overlayService, key: nil, diagnostics: &diagnostics, field: "service")
        }
        settings = interpolator.apply(settings, diagnostics: &diagnostics, field: "service").droppingNulls()
        settings = checker.check(settings, as: .structure(BerthShapes.serviceSettings), field: "service")
        diagnostics.append(contentsOf: checker.diagnostics)
        diagnostics.append(contentsOf: checks.diagnostics)

        // Before a review environment's own tags are added: those are berth's.
        var serviceChecks = ServiceChecks()
        serviceChecks.run(settings)
        serviceChecks.checkTags(td["tags"], field: "taskDefinition.tags")
        if let review = environment.review { settings = Self.tagging(settings, with: review) }
        let serviceName = environment.review != nil ? "\(environment.name)-\(base.name)" : settings["serviceName"]?.string ?? base.name
        if let nameNode = settings["serviceName"], !TaskDefinitionChecks.isValidName(serviceName) {
            diagnostics.error(
                "serviceName '\(serviceName)' may only hold letters, digits, '-' and '_'", at: nameNode.location,
                field: "service.serviceName")
        }
        if let launch = settings.entry("launchType"), settings["capacityProviderStrategy"] != nil {
            diagnostics.error(
                "set either launchType or capacityProviderStrategy, not both", at: launch.keyLocation,
                field: "service.launchType")
        }
        let at = settings.location
        let head: [(String, Node)] = [
            ("serviceName", .string(serviceName, at: at)),
            ("cluster", .string(environment.target.cluster, at: at)),
            ("taskDefinition", .string(family, at: at)),
        ]
        var codeDeploy = base.codeDeploy.flatMap { $0.isNull ? nil : $0 }
        if let overlayCodeDeploy = overlay.codeDeploy, !overlayCodeDeploy.isNull {
            codeDeploy =
                codeDeploy.map { Merge.merge($0, overlayCodeDeploy, key: nil, diagnostics: &diagnostics, field: "codeDeploy") } ?? overlayCodeDeploy
        }
        codeDeploy = codeDeploy.map { interpolator.apply($0, diagnostics: &diagnostics, field: "codeDeploy").droppingNulls() }
        if let codeDeploy { serviceChecks.checkCodeDeploy(codeDeploy) }
        diagnostics.append(contentsOf: serviceChecks.diagnostics)
        if let node = codeDeploy, (node["application"] == nil) != (node["deploymentGroup"] == nil) {
            diagnostics.error(
                "codeDeploy names "
                    + (node["application"] == nil
                        ? "a deploymentGroup without its application"
                        : "an application without its deploymentGroup")
                    + "; name both, or neither to use the group whose ecsServices lists the service",
                at: node.location, field: "codeDeploy")
        }
        if let node = codeDeploy, settings["deploymentController"]?["type"]?.string != "CODE_DEPLOY" {
            diagnostics.error(
                "codeDeploy is set, but the service's deploymentController is not CODE_DEPLOY "
                    + "(set service.deploymentController: {type: CODE_DEPLOY})", at: node.location, field: "codeDeploy")
        }
        if let controller = settings["deploymentController"]?["type"]?.string, controller != "ECS",
            let breaker = settings["deploymentConfiguration"]?.entry("deploymentCircuitBreaker"), case .bool(true)? = breaker.node["enable"]?.value
        {
            diagnostics.error(
                "the deployment circuit breaker works only with the ECS deployment controller, and this service's is \(controller)",
                at: breaker.keyLocation, field: "service.deploymentConfiguration.deploymentCircuitBreaker")
        }
        let rest = (settings.entries ?? []).filter { $0.key != "serviceName" }
        let serviceSettings = Node(.map(head.map { Node.Entry(key: $0.0, keyLocation: at, node: $0.1) } + rest), at: at)
        return RenderedService(
            environment: environment.name, service: base.name, family: family, serviceName: serviceName,
            cluster: environment.target.cluster, taskDefinition: td, serviceSettings: serviceSettings,
            sources: [base.file, overlay.file], renderID: renderID,
            codeDeploy: codeDeploy.map(CodeDeploySettings.init))
    }

    /// The service's tags with the review environment's own, which mark what a teardown may delete.
    static func tagging(_ settings: Node, with review: ReviewIdentity) -> Node {
        let at = settings.location
        let own = Set(review.tags.map(\.key))
        let kept = (settings["tags"]?.items ?? []).filter { !own.contains($0["key"]?.string ?? "") }
        let added = review.tags.map { tag in
            Node(
                .map([
                    Node.Entry(key: "key", keyLocation: at, node: .string(tag.key, at: at)),
                    Node.Entry(key: "value", keyLocation: at, node: .string(tag.value, at: at)),
                ]), at: at)
        }
        return settings.setting("tags", to: Node(.list(kept + added), at: at))
    }

    /// `images: {container: image}` pins each named container's image.
    private mutating func applyImages(_ td: Node) -> Node {
        guard let images = overlay.images?.entries, !images.isEmpty else { return td }
        guard var containers = td["containerDefinitions"]?.items else { return td }
        let names = containers.compactMap { $0["name"]?.string }
        for image in images {
            guard let index = containers.firstIndex(where: { $0["name"]?.string == image.key }) else {
                diagnostics.error(
                    "images names container '\(image.key)', but service '\(base.name)' has no such container"
                        + Suggestion.hint(for: image.key, in: names) + " (containers: \(names.joined(separator: ", ")))",
                    at: image.keyLocation, field: "images.\(image.key)")
                continue
            }
            containers[index] = containers[index].setting("image", to: image.node, keyLocation: image.keyLocation)
        }
        return td.setting("containerDefinitions", to: Node(.list(containers), at: td["containerDefinitions"]!.location))
    }
}
