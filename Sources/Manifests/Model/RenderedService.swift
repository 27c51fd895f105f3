/// What one service should be in one environment: the exact RegisterTaskDefinition request and
/// the CreateService/UpdateService settings, ready for the ECS API.
public struct RenderedService: Sendable {
    public let environment: String
    public let service: String
    public let family: String
    public let serviceName: String
    public let cluster: String
    /// The RegisterTaskDefinition request (camelCase AWS field names).
    public let taskDefinition: Node
    /// The CreateService request: `serviceName`, `cluster`, `taskDefinition` (the family) and
    /// the manifest's service settings.
    public let serviceSettings: Node
    /// The files this was rendered from, as shown in messages.
    public let sources: [String]
}
