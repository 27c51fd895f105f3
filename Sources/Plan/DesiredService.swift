import Canonical
import ECS
import ECSModel
import Manifests

/// One service as git wants it, in the forms the planner compares and the applier sends.
public struct DesiredService: Sendable {
    public let rendered: RenderedService
    public let register: ECSAPI.RegisterTaskDefinitionRequest
    public let create: ECSAPI.CreateServiceRequest
    public let canonicalTaskDefinition: JSONValue
    public let canonicalSettings: JSONValue
    public let specHash: String
    public let settingsHash: String

    public init(_ rendered: RenderedService) throws {
        self.rendered = rendered
        register = try rendered.registerRequest()
        create = try rendered.createServiceRequest(taskDefinition: rendered.family)
        canonicalTaskDefinition = TaskDefinitionCanonical.canonical(register)
        canonicalSettings = ServiceCanonical.desired(create)
        specHash = SpecHash.of(canonicalTaskDefinition)
        settingsHash = SpecHash.of(canonicalSettings)
    }

    public var name: String { rendered.service }

    /// What the service wants, as one string: equal exactly when both hashes are.
    public var specs: String { "\(specHash)/\(settingsHash)" }
}
