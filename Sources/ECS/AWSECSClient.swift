import AWS
import ECSModel
import Foundation
import Synchronization

/// ECS over its real API (JSON 1.1, SigV4), through `AWSClient`.
package struct AWSECSClient: ECSClient {
    package let client: AWSClient
    package var counter: CallCounter { client.counter }
    /// Operations the endpoint turned out not to have, so they are not asked again.
    private let unsupported = LockedSet()

    /// Newer operations an ECS-compatible endpoint may lack (moto has no ServiceDeployment API).
    static let optionalOperations: Set<String> = ["ListServiceDeployments", "DescribeServiceDeployments"]

    package init(client: AWSClient) {
        self.client = client
    }

    func call<Input: Encodable, Output: Decodable>(_ operation: String, _ input: Input) async throws -> Output {
        if unsupported.contains(operation) { throw ECSClientError.unsupportedOperation(operation) }
        var body = try JSONEncoder().encode(input)
        if let extra = (input as? any CarriesAdditionalFields)?.additionalFields {
            // Fields newer than the schema (allowUnknownFields), merged in as written.
            body = try JSONEncoder().encode(try JSONDecoder().decode(JSONValue.self, from: body).merging(extra))
        }
        let response: [UInt8]
        do {
            response = try await client.json(.ecs, operation, body: Array(body))
        } catch let error as AWSError where Self.isUnknownOperation(error, operation: operation) {
            unsupported.insert(operation)
            throw ECSClientError.unsupportedOperation(operation)
        }
        do {
            return try JSONDecoder().decode(Output.self, from: Data(response.isEmpty ? Array("{}".utf8) : response))
        } catch {
            throw AWSError(
                code: "DecodeError", message: "cannot read the \(operation) response: \(error)", status: 200,
                service: "ecs", operation: operation)
        }
    }

    /// AWS answers an operation it does not know with UnknownOperationException; moto with an
    /// HTML 500 page, which for an optional operation is read the same way.
    static func isUnknownOperation(_ error: AWSError, operation: String) -> Bool {
        if ["UnknownOperationException", "InvalidAction", "NotImplemented"].contains(error.code) || error.status == 501 { return true }
        return optionalOperations.contains(operation) && error.status >= 404 && error.code.hasPrefix("HTTP")
    }

    package func registerTaskDefinition(_ input: ECSAPI.RegisterTaskDefinitionRequest) async throws -> ECSAPI.RegisterTaskDefinitionResponse {
        try await call("RegisterTaskDefinition", input)
    }

    package func describeTaskDefinition(_ input: ECSAPI.DescribeTaskDefinitionRequest) async throws -> ECSAPI.DescribeTaskDefinitionResponse {
        try await call("DescribeTaskDefinition", input)
    }

    package func listTaskDefinitions(_ input: ECSAPI.ListTaskDefinitionsRequest) async throws -> ECSAPI.ListTaskDefinitionsResponse {
        try await call("ListTaskDefinitions", input)
    }

    package func deregisterTaskDefinition(_ input: ECSAPI.DeregisterTaskDefinitionRequest) async throws -> ECSAPI.DeregisterTaskDefinitionResponse {
        try await call("DeregisterTaskDefinition", input)
    }

    package func describeServices(_ input: ECSAPI.DescribeServicesRequest) async throws -> ECSAPI.DescribeServicesResponse {
        try await call("DescribeServices", input)
    }

    package func createService(_ input: ECSAPI.CreateServiceRequest) async throws -> ECSAPI.CreateServiceResponse {
        try await call("CreateService", input)
    }

    package func updateService(_ input: ECSAPI.UpdateServiceRequest) async throws -> ECSAPI.UpdateServiceResponse {
        try await call("UpdateService", input)
    }

    package func deleteService(_ input: ECSAPI.DeleteServiceRequest) async throws -> ECSAPI.DeleteServiceResponse {
        try await call("DeleteService", input)
    }

    package func listServices(_ input: ECSAPI.ListServicesRequest) async throws -> ECSAPI.ListServicesResponse {
        try await call("ListServices", input)
    }

    package func untagResource(_ input: ECSAPI.UntagResourceRequest) async throws -> ECSAPI.UntagResourceResponse {
        try await call("UntagResource", input)
    }

    package func tagResource(_ input: ECSAPI.TagResourceRequest) async throws -> ECSAPI.TagResourceResponse {
        try await call("TagResource", input)
    }

    package func listTagsForResource(_ input: ECSAPI.ListTagsForResourceRequest) async throws -> ECSAPI.ListTagsForResourceResponse {
        try await call("ListTagsForResource", input)
    }

    package func runTask(_ input: ECSAPI.RunTaskRequest) async throws -> ECSAPI.RunTaskResponse {
        try await call("RunTask", input)
    }

    package func describeTasks(_ input: ECSAPI.DescribeTasksRequest) async throws -> ECSAPI.DescribeTasksResponse {
        try await call("DescribeTasks", input)
    }

    package func listServiceDeployments(_ input: ECSAPI.ListServiceDeploymentsRequest) async throws -> ECSAPI.ListServiceDeploymentsResponse {
        try await call("ListServiceDeployments", input)
    }

    package func describeServiceDeployments(
        _ input: ECSAPI.DescribeServiceDeploymentsRequest
    ) async throws -> ECSAPI.DescribeServiceDeploymentsResponse {
        try await call("DescribeServiceDeployments", input)
    }

    package func createCluster(_ input: ECSAPI.CreateClusterRequest) async throws -> ECSAPI.CreateClusterResponse {
        try await call("CreateCluster", input)
    }

    package func describeClusters(_ input: ECSAPI.DescribeClustersRequest) async throws -> ECSAPI.DescribeClustersResponse {
        try await call("DescribeClusters", input)
    }
}

/// ECR's questions for berth: does this image exist, and which tags does a repository hold.
package struct ECRClient: Sendable {
    package let client: AWSClient

    package init(client: AWSClient) {
        self.client = client
    }

    /// Whether `repository` holds an image with `tag` or `digest` (`sha256:…`).
    package func imageExists(repository: String, tag: String? = nil, digest: String? = nil, registryId: String? = nil) async throws -> Bool {
        let input = ECRAPI.DescribeImagesRequest(
            registryId: registryId, repositoryName: repository,
            imageIds: [ECRAPI.ImageIdentifier(imageDigest: digest, imageTag: tag)])
        do {
            let body = try await client.json(.ecr, "DescribeImages", body: Array(try JSONEncoder().encode(input)))
            let response = try JSONDecoder().decode(ECRAPI.DescribeImagesResponse.self, from: Data(body))
            return !(response.imageDetails ?? []).isEmpty
        } catch let error as AWSError where error.code == "ImageNotFoundException" || error.code == "RepositoryNotFoundException" {
            return false
        }
    }

    /// Every tagged image of `repository`: its tags and when it was pushed. Pages of 1,000, one
    /// after the other (DescribeImages is rate-limited per account and Region), at most `maxPages`.
    package func taggedImages(repository: String, registryId: String? = nil, maxPages: Int = 20) async throws -> [(tag: String, pushed: Date?)] {
        var result: [(tag: String, pushed: Date?)] = []
        var token: String?
        for _ in 0..<maxPages {
            let input = ECRAPI.DescribeImagesRequest(
                registryId: registryId, repositoryName: repository, nextToken: token, maxResults: 1000,
                filter: ECRAPI.DescribeImagesFilter(tagStatus: "TAGGED"))
            let body = try await client.json(.ecr, "DescribeImages", body: Array(try JSONEncoder().encode(input)))
            let response = try JSONDecoder().decode(ECRAPI.DescribeImagesResponse.self, from: Data(body))
            for image in response.imageDetails ?? [] {
                for tag in image.imageTags ?? [] { result.append((tag, image.imagePushedAt?.date)) }
            }
            guard let next = response.nextToken, !next.isEmpty else { break }
            token = next
        }
        return result
    }
}

/// A set shared between copies of a client.
final class LockedSet: Sendable {
    private let items = Mutex<Set<String>>([])

    func contains(_ item: String) -> Bool { items.withLock { $0.contains(item) } }
    func insert(_ item: String) { items.withLock { _ = $0.insert(item) } }
}
