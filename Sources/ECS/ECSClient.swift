import AWS
import ECSModel

/// The ECS operations berth uses, implemented by the AWS API client and by the embedded local
/// backend alike, so everything above this protocol runs unchanged on either.
/// Errors are `AWSError`s with ECS's codes (`ClientException`, `ServiceNotFoundException`, …).
package protocol ECSClient: Sendable {
    /// Every call made, by operation and outcome.
    var counter: CallCounter { get }

    func registerTaskDefinition(_ input: ECSAPI.RegisterTaskDefinitionRequest) async throws -> ECSAPI.RegisterTaskDefinitionResponse
    func describeTaskDefinition(_ input: ECSAPI.DescribeTaskDefinitionRequest) async throws -> ECSAPI.DescribeTaskDefinitionResponse
    func listTaskDefinitions(_ input: ECSAPI.ListTaskDefinitionsRequest) async throws -> ECSAPI.ListTaskDefinitionsResponse
    func deregisterTaskDefinition(_ input: ECSAPI.DeregisterTaskDefinitionRequest) async throws -> ECSAPI.DeregisterTaskDefinitionResponse
    /// At most 10 services a call (`describeServices(cluster:names:)` batches).
    func describeServices(_ input: ECSAPI.DescribeServicesRequest) async throws -> ECSAPI.DescribeServicesResponse
    func createService(_ input: ECSAPI.CreateServiceRequest) async throws -> ECSAPI.CreateServiceResponse
    func updateService(_ input: ECSAPI.UpdateServiceRequest) async throws -> ECSAPI.UpdateServiceResponse
    func deleteService(_ input: ECSAPI.DeleteServiceRequest) async throws -> ECSAPI.DeleteServiceResponse
    func listServices(_ input: ECSAPI.ListServicesRequest) async throws -> ECSAPI.ListServicesResponse
    func tagResource(_ input: ECSAPI.TagResourceRequest) async throws -> ECSAPI.TagResourceResponse
    func untagResource(_ input: ECSAPI.UntagResourceRequest) async throws -> ECSAPI.UntagResourceResponse
    func listTagsForResource(_ input: ECSAPI.ListTagsForResourceRequest) async throws -> ECSAPI.ListTagsForResourceResponse
    func runTask(_ input: ECSAPI.RunTaskRequest) async throws -> ECSAPI.RunTaskResponse
    func describeTasks(_ input: ECSAPI.DescribeTasksRequest) async throws -> ECSAPI.DescribeTasksResponse
    /// Throws `ECSClientError.unsupportedOperation` where the endpoint lacks the ServiceDeployment API.
    func listServiceDeployments(_ input: ECSAPI.ListServiceDeploymentsRequest) async throws -> ECSAPI.ListServiceDeploymentsResponse
    func describeServiceDeployments(_ input: ECSAPI.DescribeServiceDeploymentsRequest) async throws -> ECSAPI.DescribeServiceDeploymentsResponse
    func createCluster(_ input: ECSAPI.CreateClusterRequest) async throws -> ECSAPI.CreateClusterResponse
    func describeClusters(_ input: ECSAPI.DescribeClustersRequest) async throws -> ECSAPI.DescribeClustersResponse
}

package enum ECSClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The endpoint does not implement the operation (moto lacks the ServiceDeployment API):
    /// callers fall back to the service's `deployments` list.
    case unsupportedOperation(String)

    package var description: String {
        switch self {
        case .unsupportedOperation(let operation): return "the ECS endpoint does not support \(operation)"
        }
    }
}

extension ECSClient {
    /// DescribeServices for any number of names, 10 per call (ECS's limit), in order.
    package func describeServices(cluster: String, names: [String], includeTags: Bool = false) async throws -> ECSAPI.DescribeServicesResponse {
        var services: [ECSAPI.Service] = []
        var failures: [ECSAPI.Failure] = []
        var start = 0
        while start < names.count {
            let batch = Array(names[start..<min(start + 10, names.count)])
            let response = try await describeServices(
                ECSAPI.DescribeServicesRequest(
                    cluster: cluster, services: batch, include: includeTags ? ["TAGS"] : nil))
            services += response.services ?? []
            failures += response.failures ?? []
            start += 10
        }
        return ECSAPI.DescribeServicesResponse(services: services, failures: failures)
    }

    /// Every task definition ARN matching the filters, following `nextToken`.
    package func allTaskDefinitionArns(familyPrefix: String? = nil, status: String? = nil, sort: String? = nil) async throws -> [String] {
        var arns: [String] = []
        var token: String?
        repeat {
            let page = try await listTaskDefinitions(
                ECSAPI.ListTaskDefinitionsRequest(
                    familyPrefix: familyPrefix, status: status, sort: sort, nextToken: token, maxResults: 100))
            arns += page.taskDefinitionArns ?? []
            token = page.nextToken
        } while token != nil
        return arns
    }

    /// Every service ARN in a cluster, following `nextToken`.
    package func allServiceArns(cluster: String) async throws -> [String] {
        var arns: [String] = []
        var token: String?
        repeat {
            let page = try await listServices(ECSAPI.ListServicesRequest(cluster: cluster, nextToken: token, maxResults: 100))
            arns += page.serviceArns ?? []
            token = page.nextToken
        } while token != nil
        return arns
    }
}
