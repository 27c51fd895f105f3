import Canonical
import ECS
import ECSModel
import Manifests

/// One service as git wants it, in the forms the planner compares and the applier sends.
package struct DesiredService: Sendable {
    package let rendered: RenderedService
    package let register: ECSAPI.RegisterTaskDefinitionRequest
    package let create: ECSAPI.CreateServiceRequest
    package let canonicalTaskDefinition: JSONValue
    package let canonicalSettings: JSONValue
    package let specHash: String
    package let settingsHash: String

    package init(_ rendered: RenderedService) throws {
        self.rendered = rendered
        register = try rendered.registerRequest()
        create = try rendered.createServiceRequest(taskDefinition: rendered.family)
        canonicalTaskDefinition = TaskDefinitionCanonical.canonical(register)
        canonicalSettings = ServiceCanonical.desired(create)
        specHash = SpecHash.of(canonicalTaskDefinition)
        settingsHash = SpecHash.of(canonicalSettings)
    }

    package var name: String { rendered.service }

    /// What the service wants, as one string: equal exactly when both hashes are.
    package var specs: String { "\(specHash)/\(settingsHash)" }
}
