extension ECSAPI.DeploymentConfiguration {
    /// The strategies ECS runs itself through lifecycle stages, beside its rolling update.
    package static let stagedStrategies: Set<String> = ["BLUE_GREEN", "LINEAR", "CANARY"]

    /// This configuration's strategy when it is one of those; nil for a rolling update.
    package var stagedStrategy: String? {
        strategy.flatMap { Self.stagedStrategies.contains($0) ? $0 : nil }
    }
}
