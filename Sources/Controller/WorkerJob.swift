import Git
import Manifests
import Notify
import Plan
import Reconcile
import Records

/// What an environment's worker is given: the head and what it renders to, and what the
/// scheduler knows of the environment (its fence, whether this head's refusal was told).
struct WorkerJob: Sendable {
    let name: String
    /// Which of the environment's workers this is (`Scheduler.Worker.id`).
    let worker: Int
    let loaded: LoadedManifests
    let head: ObjectID
    /// The environment's desired state (`HeadSummary.fingerprints`).
    let fingerprint: String?
    /// The services and their specs at `head`.
    let specs: [String: ServiceSpecs]
    /// The services as they were when the environment last converged: those still the same
    /// are not observed (empty: observe everything).
    var settled: [String: ServiceSpecs]
    let trigger: DeploymentRecord.Trigger
    let reconciler: Reconciler
    var fence: (@Sendable () async throws -> Void)?
    /// A refusal of `head` was already recorded and told.
    var refusalNotified: Bool
    /// The notification receivers of the last head accepted.
    var accepted: [NotificationTarget]
}

/// What a worker hands back to the scheduler.
struct WorkerResult: Sendable {
    var converged = false
    var kind: ErrorKind?
    /// The head was refused (history rewritten); the refusal is recorded and told.
    var refused = false
    /// The head passed every policy: its receivers are the ones a later refusal is told to.
    var accepted: [NotificationTarget]?
}
