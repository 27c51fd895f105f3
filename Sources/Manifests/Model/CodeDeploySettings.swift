/// How a service whose deployment controller is `CODE_DEPLOY` is deployed: the CodeDeploy
/// application and deployment group (found from the service when not named, as CodeDeploy
/// ties them), an optional deployment configuration, and the AppSpec's lifecycle hooks.
/// Written as `codeDeploy:` in a service file or an overlay; the overlay's fields win.
package struct CodeDeploySettings: Sendable, Equatable {
    package struct Hook: Sendable, Equatable {
        /// The AppSpec event (`BeforeInstall`, `AfterAllowTestTraffic`, …).
        package let event: String
        /// The Lambda function CodeDeploy calls at that event.
        package let function: String
    }

    package var application: String?
    package var deploymentGroup: String?
    package var deploymentConfig: String?
    /// In the order CodeDeploy runs them.
    package var hooks: [Hook]

    /// The manifest's names for the AppSpec's events, in the order CodeDeploy runs them.
    package static let hookEvents: [(key: String, event: String)] = [
        ("beforeInstall", "BeforeInstall"), ("afterInstall", "AfterInstall"), ("afterAllowTestTraffic", "AfterAllowTestTraffic"),
        ("beforeAllowTraffic", "BeforeAllowTraffic"), ("afterAllowTraffic", "AfterAllowTraffic"),
    ]

    package init(application: String? = nil, deploymentGroup: String? = nil, deploymentConfig: String? = nil, hooks: [Hook] = []) {
        self.application = application
        self.deploymentGroup = deploymentGroup
        self.deploymentConfig = deploymentConfig
        self.hooks = hooks
    }

    /// The settings a checked `codeDeploy:` node holds.
    init(_ node: Node) {
        application = node["application"]?.string
        deploymentGroup = node["deploymentGroup"]?.string
        deploymentConfig = node["deploymentConfig"]?.string
        hooks = Self.hookEvents.compactMap { key, event in node["hooks"]?[key]?.string.map { Hook(event: event, function: $0) } }
    }
}
