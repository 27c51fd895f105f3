/// Where an environment deploys.
public enum Target: Sendable, Equatable {
    /// The embedded ECS backend, persisted to a state file: no AWS account needed.
    case local(LocalTarget)
    case aws(AWSTarget)

    public var cluster: String {
        switch self {
        case .local(let t): return t.cluster
        case .aws(let t): return t.cluster
        }
    }

    public var region: String {
        switch self {
        case .local(let t): return t.region
        case .aws(let t): return t.region
        }
    }

    /// The account id, when known (`${aws.accountId}`).
    public var accountId: String? {
        switch self {
        case .local(let t): return t.accountId
        case .aws(let t): return t.accountId
        }
    }
}

public struct LocalTarget: Sendable, Equatable {
    public var cluster: String
    public var region: String
    public var accountId: String
    /// Where the local backend keeps its state; nil means berth's default (`.berth/local-ecs.json`).
    public var stateFile: String?

    public static let defaultRegion = "us-east-1"
    public static let defaultAccountId = "000000000000"
}

public struct AWSTarget: Sendable, Equatable {
    public var region: String
    public var cluster: String
    public var accountId: String?
    public var roleArn: String?
    public var externalId: String?
}
