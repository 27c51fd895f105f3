import ECSModel
import Foundation
import Plan

/// The UpdateService request that makes a service what a CreateService request describes:
/// every setting the two share (so a field the schema gains reaches ECS without a change
/// here), without what UpdateService does not take or berth sets apart.
enum ServiceUpdate {
    /// CreateService's fields that UpdateService lacks, or that berth decides per call.
    static let notCarried: Set<String> = [
        "serviceName", "taskDefinition", "clientToken", "launchType", "role",
        "schedulingStrategy", "deploymentController", "tags",
    ]

    /// What ECS updates on a service deployed by CodeDeploy; the rest goes out as a deployment.
    static let codeDeployUpdatable: Set<String> = [
        "desiredCount", "deploymentConfiguration", "healthCheckGracePeriodSeconds",
        "placementConstraints", "placementStrategy", "enableECSManagedTags", "propagateTags",
    ]
    /// What CodeDeploy's AppSpec carries for an ECS service.
    static let codeDeployAppSpec: Set<String> = ["loadBalancers", "networkConfiguration", "platformVersion", "capacityProviderStrategy"]
    /// What ECS updates on a service with the EXTERNAL deployment controller.
    static let externalUpdatable: Set<String> = [
        "desiredCount", "placementConstraints", "placementStrategy",
        "healthCheckGracePeriodSeconds", "enableECSManagedTags", "propagateTags",
    ]

    /// The update for `create`, limited to `only` when given.
    /// Throws rather than send an update that lost the settings: a field the two requests
    /// shape differently would otherwise drop every setting silently.
    static func request(from create: ECSAPI.CreateServiceRequest, only: Set<String>? = nil) throws -> ECSAPI.UpdateServiceRequest {
        guard var fields = try JSONSerialization.jsonObject(with: JSONEncoder().encode(create)) as? [String: Any] else {
            throw ReconcileError(
                .invalidManifests, "cannot turn the CreateService settings of \(create.serviceName ?? "a service") into an update")
        }
        fields = fields.filter { !notCarried.contains($0.key) && (only?.contains($0.key) ?? true) }
        fields["cluster"] = create.cluster
        fields["service"] = create.serviceName
        var update: ECSAPI.UpdateServiceRequest
        do {
            update = try JSONDecoder().decode(ECSAPI.UpdateServiceRequest.self, from: JSONSerialization.data(withJSONObject: fields))
        } catch {
            throw ReconcileError(
                .invalidManifests, "cannot turn the CreateService settings of \(create.serviceName ?? "a service") into an update: \(error)")
        }
        // Fields newer than the schema go with the whole update, not with the few fields ECS
        // takes for a service another controller deploys.
        if only == nil { update.additionalFields = create.additionalFields }
        return update
    }
}
