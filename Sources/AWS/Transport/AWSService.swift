/// How to reach one AWS service: its signing name, endpoint prefix and wire protocol.
public struct AWSService: Sendable, Equatable {
    public enum WireProtocol: Sendable, Equatable {
        /// AWS JSON 1.0/1.1: `POST /`, `X-Amz-Target: <prefix>.<Operation>`.
        case json(version: String, targetPrefix: String)
        /// awsQuery: form-encoded `Action=…&Version=…`, XML responses.
        case query(version: String)
    }

    public let signingName: String
    public let endpointPrefix: String
    /// The suffix of `AWS_ENDPOINT_URL_<ID>`.
    public let endpointID: String
    public let wireProtocol: WireProtocol

    public init(signingName: String, endpointPrefix: String, endpointID: String, wireProtocol: WireProtocol) {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.endpointID = endpointID
        self.wireProtocol = wireProtocol
    }

    public static let ecs = AWSService(
        signingName: "ecs", endpointPrefix: "ecs", endpointID: "ECS",
        wireProtocol: .json(version: "1.1", targetPrefix: "AmazonEC2ContainerServiceV20141113"))
    public static let ecr = AWSService(
        signingName: "ecr", endpointPrefix: "api.ecr", endpointID: "ECR",
        wireProtocol: .json(version: "1.1", targetPrefix: "AmazonEC2ContainerRegistry_V20150921"))
    public static let codeDeploy = AWSService(
        signingName: "codedeploy", endpointPrefix: "codedeploy", endpointID: "CODEDEPLOY",
        wireProtocol: .json(version: "1.1", targetPrefix: "CodeDeploy_20141006"))
    public static let dynamoDB = AWSService(
        signingName: "dynamodb", endpointPrefix: "dynamodb", endpointID: "DYNAMODB",
        wireProtocol: .json(version: "1.0", targetPrefix: "DynamoDB_20120810"))
    public static let sts = AWSService(
        signingName: "sts", endpointPrefix: "sts", endpointID: "STS",
        wireProtocol: .query(version: "2011-06-15"))
}
