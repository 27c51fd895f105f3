import Canonical
import ECS
import ECSModel
import Manifests

/// One service as git wants it, in the forms the planner compares and the applier sends.
/// A class: its typed requests are large, and caches keyed by render id hold one per service
/// of every head (a dictionary holding them inline holds a third more slots than entries).
package final class DesiredService: Sendable {
    package let rendered: RenderedService
    /// The service's own tags (CreateService's `tags`): what every pass compares with ECS's.
    package let tags: [ECSAPI.Tag]?
    package let canonicalSettings: JSONValue
    package let specHash: String
    package let settingsHash: String

    package convenience init(_ rendered: RenderedService) throws {
        let register = try rendered.registerRequest()
        try self.init(rendered, register: register, canonicalTaskDefinition: TaskDefinitionCanonical.canonical(register))
    }

    /// The service and its task definition's canonical form, for a caller that keeps the form.
    package static func withCanonical(_ rendered: RenderedService) throws -> (service: DesiredService, canonicalTaskDefinition: JSONValue) {
        let register = try rendered.registerRequest()
        let canonical = TaskDefinitionCanonical.canonical(register)
        return (try DesiredService(rendered, register: register, canonicalTaskDefinition: canonical), canonical)
    }

    /// The canonical forms of the task definition and the service settings, without their
    /// hashes: equal forms are equal hashes, for a reader that compares two renderings only
    /// (`berth log`).
    package static func canonicalForms(_ rendered: RenderedService) throws -> (taskDefinition: JSONValue, settings: JSONValue) {
        (TaskDefinitionCanonical.canonical(try rendered.registerRequest()), ServiceCanonical.desired(try createRequest(rendered)))
    }

    private init(_ rendered: RenderedService, register: ECSAPI.RegisterTaskDefinitionRequest, canonicalTaskDefinition: JSONValue) throws {
        self.rendered = rendered
        let create = try Self.createRequest(rendered)
        tags = create.tags
        canonicalSettings = ServiceCanonical.desired(create)
        specHash = SpecHash.of(canonicalTaskDefinition)
        settingsHash = SpecHash.of(canonicalSettings)
    }

    /// The RegisterTaskDefinition request, decoded again from the rendered service when asked:
    /// only registering and a diff against a revision berth did not record read it, and a
    /// controller holds a desired service for every service of every head it follows (the
    /// request and its strings were a tenth of its heap at 1,000 services).
    package var register: ECSAPI.RegisterTaskDefinitionRequest {
        get throws { try rendered.registerRequest() }
    }

    /// The CreateService request, decoded again when asked, like `register`: only an apply
    /// reads it (a pass compares `canonicalSettings` and `tags`).
    package var create: ECSAPI.CreateServiceRequest {
        get throws { try Self.createRequest(rendered) }
    }

    /// CreateService naming the family; an apply puts the registered revision's ARN in.
    private static func createRequest(_ rendered: RenderedService) throws -> ECSAPI.CreateServiceRequest {
        try rendered.createServiceRequest(taskDefinition: rendered.family)
    }

    /// The task definition's canonical form, made again when asked, like `register`.
    package var canonicalTaskDefinition: JSONValue {
        get throws { TaskDefinitionCanonical.canonical(try register) }
    }

    package var name: String { rendered.service }

    /// What the service wants: equal exactly when both hashes are.
    package var specs: ServiceSpecs { ServiceSpecs(spec: specHash, settings: settingsHash) }
}

/// A service's two hashes, kept by the controller for every service of a head. The desired
/// service's own strings, not a third joined from them: 1,000 services made 0.2 MiB of those.
package struct ServiceSpecs: Hashable, Sendable, CustomStringConvertible {
    package let spec: String
    package let settings: String

    package init(spec: String, settings: String) {
        self.spec = spec
        self.settings = settings
    }

    package var description: String { "\(spec)/\(settings)" }
}
