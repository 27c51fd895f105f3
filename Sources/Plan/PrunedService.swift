/// A service berth created for an environment (tagged `berth:env` and `berth:service`) that git
/// no longer has: what `policy.prune` deletes. A service without berth's tags (made by hand,
/// by another tool, or adopted) is never one.
public struct PrunedService: Sendable, Codable, Equatable {
    /// The service's name in git when berth created it (`berth:service`).
    public let service: String
    public let serviceName: String
    public let serviceArn: String
    public let taskDefinitionArn: String?
    public let desiredCount: Int
}
