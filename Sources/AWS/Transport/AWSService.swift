/// How to reach one AWS service: its signing name, endpoint prefix and wire protocol.
package struct AWSService: Sendable, Equatable {
    package enum WireProtocol: Sendable, Equatable {
        /// AWS JSON 1.0/1.1: `POST /`, `X-Amz-Target: <prefix>.<Operation>`.
        case json(version: String, targetPrefix: String)
        /// awsQuery: form-encoded `Action=…&Version=…`, XML responses.
        case query(version: String)
    }

    package let signingName: String
    package let endpointPrefix: String
    /// The suffix of `AWS_ENDPOINT_URL_<ID>`.
    package let endpointID: String
    package let wireProtocol: WireProtocol

    package init(signingName: String, endpointPrefix: String, endpointID: String, wireProtocol: WireProtocol) {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.endpointID = endpointID
        self.wireProtocol = wireProtocol
    }

    package static let ecs = AWSService(
        signingName: "ecs", endpointPrefix: "ecs", endpointID: "ECS",
        wireProtocol: .json(version: "1.1", targetPrefix: "AmazonEC2ContainerServiceV20141113"))
    package static let ecr = AWSService(
        signingName: "ecr", endpointPrefix: "api.ecr", endpointID: "ECR",
        wireProtocol: .json(version: "1.1", targetPrefix: "AmazonEC2ContainerRegistry_V20150921"))
    package static let codeDeploy = AWSService(
        signingName: "codedeploy", endpointPrefix: "codedeploy", endpointID: "CODEDEPLOY",
        wireProtocol: .json(version: "1.1", targetPrefix: "CodeDeploy_20141006"))
    package static let dynamoDB = AWSService(
        signingName: "dynamodb", endpointPrefix: "dynamodb", endpointID: "DYNAMODB",
        wireProtocol: .json(version: "1.0", targetPrefix: "DynamoDB_20120810"))
    package static let sts = AWSService(
        signingName: "sts", endpointPrefix: "sts", endpointID: "STS",
        wireProtocol: .query(version: "2011-06-15"))
}
