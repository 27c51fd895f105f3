/// What went wrong, as a word a program matches on: the `errorCode` of the controller's status
/// and log. One list for every error berth explains (`KindedError`), so one word means one thing
/// whichever part of berth said it (docs/errors.md).
package enum ErrorCode: String, Sendable, Codable, CaseIterable {
    /// The environment named is not in the manifests.
    case unknownEnvironment = "unknown-environment"
    /// The manifests have errors, or render to a request ECS cannot be asked for.
    case invalidManifests = "invalid-manifests"
    /// What the commit or the invocation asks for, berth refuses to do as asked.
    case refused
    /// A service's deployment controller (CODE_DEPLOY, EXTERNAL) cannot take the change.
    case deploymentController = "deployment-controller"
    /// Another deployment of the service is under way.
    case deploymentUnderWay = "deployment-under-way"
    /// ECS (or CodeDeploy) answered without what berth needs to go on.
    case incompleteAnswer = "incomplete-answer"
    /// A service of that name exists and is not berth's to change.
    case notOwned = "not-owned"
    /// This replica no longer holds the environment's lease.
    case leaseLost = "lease-lost"
    /// Something berth depends on is not there yet (review environments' base).
    case notReady = "not-ready"
    /// A promotion's or rollback's source has not converged on what would be moved.
    case notConverged = "not-converged"
    /// An image to be promoted is not in the target's registry.
    case notInRegistry = "not-in-registry"
    /// The command was asked for something it cannot do as given (a branch name, an order).
    case invalidArgument = "invalid-argument"
    /// What berth would write is already there, or has moved since it was read.
    case conflict
    /// The git origin or repository could not be read or written.
    case git
    /// The git origin refused berth's credentials, or its certificate.
    case gitAuth = "git-auth"
    /// The git origin did not answer in time.
    case gitTimeout = "git-timeout"
    /// AWS throttled berth: it slows down and tries again.
    case throttled
    /// AWS refused berth's credentials or permissions.
    case accessDenied = "access-denied"
    /// No AWS credentials could be found or used.
    case credentials
    /// AWS (or the target) could not be reached, or failed on its side.
    case unavailable
    /// AWS rejected the request as asked.
    case rejected
    /// berth's records (git notes) could not be read or written.
    case records

    /// Waiting helps only for what can change by itself.
    package var kind: ErrorKind {
        switch self {
        case .unknownEnvironment, .invalidManifests, .refused, .deploymentController, .invalidArgument: return .terminal
        default: return .transient
        }
    }
}
