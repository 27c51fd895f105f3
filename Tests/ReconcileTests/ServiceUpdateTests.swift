import ECSModel
import Foundation
@testable import Plan
@testable import Apply
@testable import Review
import Testing

/// UpdateService is built from CreateService field by field: every setting the two share is
/// carried (a field the schema gains included), nothing UpdateService lacks or berth decides.
@Suite struct ServiceUpdateTests {
    static let create = ECSAPI.CreateServiceRequest(
        cluster: "prod", serviceName: "api", taskDefinition: "api",
        loadBalancers: [ECSAPI.LoadBalancer(targetGroupArn: "tg", containerName: "app", containerPort: 80)],
        desiredCount: 3, clientToken: "token", launchType: "FARGATE", platformVersion: "1.4.0",
        deploymentConfiguration: ECSAPI.DeploymentConfiguration(maximumPercent: 200, minimumHealthyPercent: 100),
        healthCheckGracePeriodSeconds: 30, schedulingStrategy: "REPLICA", deploymentController: ECSAPI.DeploymentController(type: "ECS"),
        tags: [ECSAPI.Tag(key: "team", value: "shop")], enableECSManagedTags: true, propagateTags: "SERVICE", enableExecuteCommand: false,
        monitoring: ECSAPI.MonitoringConfiguration(metricConfigurations: [
            ECSAPI.MetricConfiguration(metricNames: ["CPUUtilization"], resolutionSeconds: 20)
        ]))

    @Test func everySharedSettingIsCarried() throws {
        let update = try ServiceUpdate.request(from: Self.create)
        #expect(update.cluster == "prod" && update.service == "api")
        #expect(update.desiredCount == 3 && update.platformVersion == "1.4.0" && update.healthCheckGracePeriodSeconds == 30)
        #expect(update.loadBalancers == Self.create.loadBalancers && update.deploymentConfiguration == Self.create.deploymentConfiguration)
        #expect(update.enableECSManagedTags == true && update.propagateTags == "SERVICE" && update.enableExecuteCommand == false)
        #expect(update.monitoring == Self.create.monitoring)
        // Decided per call (the task definition, a deployment controller change), or not UpdateService's.
        #expect(update.taskDefinition == nil && update.deploymentController == nil && update.forceNewDeployment == nil)
    }

    @Test func onlyTheNamedSettingsForAnotherController() throws {
        var create = Self.create
        create.additionalFields = .object(["futureSetting": .bool(true)])
        let update = try ServiceUpdate.request(from: create, only: ServiceUpdate.codeDeployUpdatable)
        #expect(update.desiredCount == 3 && update.deploymentConfiguration != nil)
        #expect(update.loadBalancers == nil && update.platformVersion == nil && update.monitoring == nil)
        #expect(update.additionalFields == nil)
        #expect(try ServiceUpdate.request(from: create).additionalFields == create.additionalFields)
    }
}
