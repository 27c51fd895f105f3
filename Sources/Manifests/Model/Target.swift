/// Where an environment deploys.
package enum Target: Sendable, Equatable {
    /// The embedded ECS backend, persisted to a state file: no AWS account needed.
    case local(LocalTarget)
    case aws(AWSTarget)

    package var cluster: String {
        switch self {
        case .local(let t): return t.cluster
        case .aws(let t): return t.cluster
        }
    }

    package var region: String {
        switch self {
        case .local(let t): return t.region
        case .aws(let t): return t.region
        }
    }

    /// The account id, when known (`${aws.accountId}`).
    package var accountId: String? {
        switch self {
        case .local(let t): return t.accountId
        case .aws(let t): return t.accountId
        }
    }
}

package struct LocalTarget: Sendable, Equatable {
    package var cluster: String
    package var region: String
    package var accountId: String
    /// Where the local backend keeps its state; nil means berth's default (`.berth/local-ecs.json`).
    package var stateFile: String?

    package static let defaultRegion = "us-east-1"
    package static let defaultAccountId = "000000000000"
}

package struct AWSTarget: Sendable, Equatable {
    package var region: String
    package var cluster: String
    package var accountId: String?
    package var roleArn: String?
    package var externalId: String?
}
