import AWS
import BerthTestSupport
@testable import ECS
import ECSModel
import Foundation
import Testing

/// The conformance scenarios against moto's server, over HTTP with real signing.
@Suite struct MotoConformanceTests {
    @Test func taskDefinitions() async throws {
        try await ECSConformance.taskDefinitions(AWSECSClient(client: MotoServer.shared.client()))
    }

    @Test func services() async throws {
        try await ECSConformance.services(AWSECSClient(client: MotoServer.shared.client()))
    }

    @Test func everyCallIsCountedByOperationAndOutcome() async throws {
        let counter = CallCounter()
        let ecs = AWSECSClient(client: try await MotoServer.shared.client(counter: counter))
        _ = try? await ecs.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "never-registered:1"))
        _ = try await ecs.listTaskDefinitions(ECSAPI.ListTaskDefinitionsRequest())
        #expect(counter.count("DescribeTaskDefinition", outcome: "ClientException") == 1)
        #expect(counter.count("ListTaskDefinitions", outcome: "ok") == 1)
    }

    @Test func serviceDeploymentAPIFallsBackWhereMissing() async throws {
        let ecs = AWSECSClient(client: try await MotoServer.shared.client())
        do {
            _ = try await ecs.listServiceDeployments(ECSAPI.ListServiceDeploymentsRequest(service: "x", cluster: "default"))
        } catch let error as ECSClientError {
            #expect(error == .unsupportedOperation("ListServiceDeployments"))
        } catch let error as AWSError {
            // An endpoint that has the API answers about the missing service instead.
            #expect(error.code.hasSuffix("NotFoundException") || error.code == "ClientException")
        }
    }
}
