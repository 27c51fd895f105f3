import Canonical
import ECSModel
import Testing

/// Service settings compared as ECS answers them: a role given by name comes back as an ARN,
/// and capacity provider items come back with ECS's default base and weight filled in.
@Suite struct ServiceCanonicalTests {
    @Test func whatECSAnswersForWhatGitSaidIsNoDifference() {
        let desired = ECSAPI.CreateServiceRequest(
            serviceName: "api",
            capacityProviderStrategy: [
                ECSAPI.CapacityProviderStrategyItem(capacityProvider: "FARGATE_SPOT", weight: 3),
                ECSAPI.CapacityProviderStrategyItem(capacityProvider: "FARGATE", weight: 1, base: 2),
            ], role: "ecsServiceRole")
        let live = ECSAPI.Service(
            serviceName: "api",
            capacityProviderStrategy: [
                ECSAPI.CapacityProviderStrategyItem(capacityProvider: "FARGATE", weight: 1, base: 2),
                ECSAPI.CapacityProviderStrategyItem(capacityProvider: "FARGATE_SPOT", weight: 3, base: 0),
            ], roleArn: "arn:aws:iam::123456789012:role/ecsServiceRole")
        #expect(FieldDiff.subset(live: ServiceCanonical.live(live), desired: ServiceCanonical.desired(desired)).isEmpty)

        // A weight that changed still shows, on the provider it belongs to.
        var heavier = desired
        heavier.capacityProviderStrategy?[0].weight = 4
        let changes = FieldDiff.subset(live: ServiceCanonical.live(live), desired: ServiceCanonical.desired(heavier))
        #expect(changes.count == 1, "\(changes)")
        var otherRole = desired
        otherRole.role = "arn:aws:iam::123456789012:role/otherRole"
        #expect(FieldDiff.subset(live: ServiceCanonical.live(live), desired: ServiceCanonical.desired(otherRole)).map(\.path) == ["role"])
    }
}
