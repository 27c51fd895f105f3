/// A service berth created for an environment (tagged `berth:env` and `berth:service`) that git
/// no longer has: what `policy.prune` deletes. A service without berth's tags (made by hand,
/// by another tool, or adopted) is never one.
package struct PrunedService: Sendable, Codable, Equatable {
    /// The service's name in git when berth created it (`berth:service`).
    package let service: String
    package let serviceName: String
    package let serviceArn: String
    package let taskDefinitionArn: String?
    package let desiredCount: Int
}
