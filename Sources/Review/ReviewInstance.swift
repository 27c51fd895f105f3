import AWS
import ECS
import ECSModel
import Foundation
import Manifests
import Plan

/// One life of a review environment as the target shows it: the services tagged with its name
/// and instance. The tags are the only record a teardown trusts; a name proves nothing.
package struct ReviewInstance: Sendable {
    package let name: String
    package let instance: String
    package let branch: String
    package let created: Date?
    /// ACTIVE services, and DRAINING ones ECS is still removing.
    package var services: [ECSAPI.Service]
    /// Why its teardown began, once it has (a tag on its services, so a restart resumes it).
    package var teardown: String?

    package static let teardownTag = "berth:review-teardown"

    /// The identity its resources carry, for a teardown or a further apply.
    package func identity(base: String) -> ReviewIdentity {
        ReviewIdentity(name: name, branch: branch, instance: instance, base: base, created: created ?? Date())
    }

    package var activeServices: [ECSAPI.Service] { services.filter { $0.status == ECSStatus.active } }

    /// Only DRAINING services are left: ECS is removing them, and the name is not free yet.
    package var isDraining: Bool { activeServices.isEmpty }
}
