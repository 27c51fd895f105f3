/// Why a reconcile could not go on: what happened (`message`), what to do (`next`), a stable
/// `code` a program can act on (shown in the controller's status and log as `errorCode`), and
/// whether waiting helps (`kind`, from the code unless the site knows better).
package struct ReconcileError: KindedError, CustomStringConvertible, Sendable {
    /// What went wrong, as a word a program matches on.
    package enum Code: String, Sendable, Codable, CaseIterable {
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

        /// Waiting helps only for what can change by itself.
        package var kind: ErrorKind {
            switch self {
            case .deploymentUnderWay, .incompleteAnswer, .leaseLost, .notReady, .notOwned: return .transient
            case .unknownEnvironment, .invalidManifests, .refused, .deploymentController: return .terminal
            }
        }
    }

    package let reason: Code
    package let message: String
    /// What the person reading it can do, when berth knows.
    package let next: String?
    package let kind: ErrorKind

    package init(_ code: Code, _ message: String, next: String? = nil, kind: ErrorKind? = nil) {
        self.reason = code
        self.message = message
        self.next = next
        self.kind = kind ?? code.kind
    }

    package var code: String? { reason.rawValue }

    package var description: String { next.map { "\(message); \($0)" } ?? message }
}
