/// The shapes of berth's own files, and of the parts of ECS requests a manifest may hold.
package enum BerthShapes {
    /// The RegisterTaskDefinition request, as written under `taskDefinition:`.
    package static let taskDefinition: Structure = ECSShapes.registerTaskDefinitionRequest.structure!

    /// Fields ECS returns from DescribeTaskDefinition that a request must not carry: pasted
    /// `describe-task-definition` output is accepted and these are dropped with a warning.
    package static let outputOnlyTaskDefinitionFields: [String] = {
        let output = ECSShapes.taskDefinition.structure!.memberNames
        let input = Set(taskDefinition.memberNames)
        return output.filter { !input.contains($0) }
    }()

    /// What berth manages through CreateService/UpdateService. berth sets `cluster` and
    /// `taskDefinition` itself; `clientToken` is per call.
    package static let serviceSettings: Structure = ECSShapes.createServiceRequest.structure!
        .removing(["cluster", "taskDefinition", "clientToken"], renamed: "service settings")
        .makingOptional(["serviceName"])

    /// `codeDeploy:`, for a service CodeDeploy deploys (`CodeDeploySettings`).
    package static let codeDeploy = Structure(
        name: "codeDeploy",
        members: [
            ("application", .string()),
            ("deploymentGroup", .string()),
            ("deploymentConfig", .string()),
            ("hooks", .structure(Structure(name: "codeDeploy.hooks", members: CodeDeploySettings.hookEvents.map { ($0.key, Shape.string()) }))),
        ])

    /// `services/<service>/service.yaml`.
    package static let serviceFile = Structure(
        name: "service.yaml",
        members: [
            ("taskDefinition", .structure(taskDefinition)),
            ("taskDefinitionFile", .string()),
            ("service", .structure(serviceSettings)),
            ("codeDeploy", .structure(codeDeploy)),
        ])

    /// `environments/<env>/<service>.yaml`.
    package static let overlayFile = Structure(
        name: "overlay",
        members: [
            ("images", .map(.string())),
            ("taskDefinition", .structure(taskDefinition)),
            ("service", .structure(serviceSettings)),
            ("codeDeploy", .structure(codeDeploy)),
        ])

    static let scalarMap: Shape = .map(.string())

    static let localTarget = Structure(
        name: "target.local",
        members: [
            ("cluster", .string()),
            ("region", .string()),
            ("accountId", .string()),
            ("stateFile", .string()),
        ])

    static let awsTarget = Structure(
        name: "target.aws",
        members: [
            ("region", .string()),
            ("cluster", .string()),
            ("accountId", .string()),
            ("roleArn", .string()),
            ("externalId", .string()),
        ], required: ["region", "cluster"])

    static let target = Structure(
        name: "target",
        members: [
            ("local", .structure(localTarget)),
            ("aws", .structure(awsTarget)),
        ])

    static let policy = Structure(
        name: "policy",
        members: [
            ("protected", .boolean),
            ("autoSync", .boolean),
            ("selfHeal", .boolean),
            ("prune", .boolean),
            ("requireSignedCommits", .boolean),
            ("allowMutableTags", .boolean),
            ("revertOnRollback", .boolean),
            ("deployFrom", .string()),
        ])

    static let oneOffTask = Structure(
        name: "task",
        members: [
            ("name", .string()),
            ("when", .string(enumValues: ["before", "after"])),
            ("service", .string()),
            ("container", .string()),
            ("command", .list(.string())),
            ("timeoutSeconds", .integer(1...86_400)),
        ], required: ["name", "when", "service"])

    /// `environments/<env>/environment.yaml`.
    package static let environmentFile = Structure(
        name: "environment.yaml",
        members: [
            ("target", .structure(target)),
            ("vars", scalarMap),
            ("release", scalarMap),
            ("policy", .structure(policy)),
            ("tasks", .list(.structure(oneOffTask))),
            ("waves", .list(.list(.string()))),
            ("notifications", .list(.structure(notification))),
        ])

    /// `environments/<env>/freeze.yaml`.
    package static let freezeFile = Structure(
        name: "freeze.yaml",
        members: [
            ("reason", .string()),
            ("by", .string()),
            ("until", .string()),
        ], required: ["reason"])

    static let notification = Structure(
        name: "notification",
        members: [
            ("url", .string()),
            ("events", .list(.string(enumValues: NotificationTarget.allEvents + NotificationTarget.formerNames.keys.sorted()))),
            ("secretEnv", .string()),
        ], required: ["url"])

    static let signing = Structure(
        name: "signing",
        members: [
            ("allowedSigners", .string()),
            ("openpgpKeys", .string()),
        ])

    /// `review:` in berth.yaml.
    static let review = Structure(
        name: "review",
        members: [
            ("branches", .list(.string())),
            ("from", .string()),
            ("name", .string()),
            ("cluster", .string()),
            ("ttl", .string()),
            ("maxEnvironments", .integer(1...10_000)),
            ("services", .list(.string())),
        ], required: ["branches", "from"])

    /// `forge:` in berth.yaml: where pull requests and plan checks go.
    static let forge = Structure(
        name: "forge",
        members: [
            ("type", .string(enumValues: ForgeConfig.types)),
            ("repository", .string()),
            ("apiUrl", .string()),
            ("labels", .list(.string())),
        ], required: ["type"])

    /// `autoPromote:` in berth.yaml.
    static let autoPromote = Structure(
        name: "autoPromote",
        members: [
            ("from", .string()),
            ("to", .string()),
            ("mode", .string(enumValues: AutoPromotion.Mode.allCases.map(\.rawValue))),
            ("autoMerge", .boolean),
            ("mergeMethod", .string(enumValues: AutoPromotion.mergeMethods)),
        ], required: ["from", "to"])

    /// One entry of `images:` in berth.yaml.
    static let imagePolicy = Structure(
        name: "images",
        members: [
            ("service", .string()),
            ("container", .string()),
            ("repository", .string()),
            ("semver", .string()),
            ("pattern", .string()),
            ("order", .string(enumValues: ["numerical", "alphabetical"])),
            ("latest", .boolean),
            ("mode", .string(enumValues: ImagePolicy.Mode.allCases.map(\.rawValue))),
        ], required: ["service", "repository"])

    /// `berth.yaml`.
    package static let configFile = Structure(
        name: "berth.yaml",
        members: [
            ("version", .int32),
            ("promotion", .list(.string())),
            ("target", .structure(target)),
            ("signing", .structure(signing)),
            ("notifications", .list(.structure(notification))),
            ("review", .structure(review)),
            ("forge", .structure(forge)),
            ("autoPromote", .structure(autoPromote)),
            ("images", .list(.structure(imagePolicy))),
            ("allowUnknownFields", .boolean),
        ], required: ["version"])
}
