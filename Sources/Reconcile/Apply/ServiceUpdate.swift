import ECSModel
import Foundation

/// The UpdateService request that makes a service what a CreateService request describes:
/// every setting the two share (so a field the schema gains reaches ECS without a change
/// here), without what UpdateService does not take or berth sets apart.
enum ServiceUpdate {
    /// CreateService's fields that UpdateService lacks, or that berth decides per call.
    static let notCarried: Set<String> = ["serviceName", "taskDefinition", "clientToken", "launchType", "role",
                                          "schedulingStrategy", "deploymentController", "tags"]

    /// What ECS updates on a service deployed by CodeDeploy; the rest goes out as a deployment.
    static let codeDeployUpdatable: Set<String> = ["desiredCount", "deploymentConfiguration", "healthCheckGracePeriodSeconds",
                                                   "placementConstraints", "placementStrategy", "enableECSManagedTags", "propagateTags"]
    /// What CodeDeploy's AppSpec carries for an ECS service.
    static let codeDeployAppSpec: Set<String> = ["loadBalancers", "networkConfiguration", "platformVersion", "capacityProviderStrategy"]
    /// What ECS updates on a service with the EXTERNAL deployment controller.
    static let externalUpdatable: Set<String> = ["desiredCount", "placementConstraints", "placementStrategy",
                                                 "healthCheckGracePeriodSeconds", "enableECSManagedTags", "propagateTags"]

    /// The update for `create`, limited to `only` when given.
    static func request(from create: ECSAPI.CreateServiceRequest, only: Set<String>? = nil) -> ECSAPI.UpdateServiceRequest {
        var update = ECSAPI.UpdateServiceRequest(cluster: create.cluster, service: create.serviceName)
        guard let data = try? JSONEncoder().encode(create),
              var fields = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return update }
        fields = fields.filter { !notCarried.contains($0.key) && (only?.contains($0.key) ?? true) }
        fields["cluster"] = create.cluster
        fields["service"] = create.serviceName
        if let body = try? JSONSerialization.data(withJSONObject: fields),
           let decoded = try? JSONDecoder().decode(ECSAPI.UpdateServiceRequest.self, from: body) {
            update = decoded
        }
        // Fields newer than the schema go with the whole update, not with the few fields ECS
        // takes for a service another controller deploys.
        if only == nil { update.additionalFields = create.additionalFields }
        return update
    }
}
