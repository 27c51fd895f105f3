import ECSModel
import Foundation

/// Everything the local ECS backend holds, as one Codable value persisted to a state file.
struct LocalState: Codable, Sendable {
    var version = 1
    var clusters = JournaledMap<LocalCluster>()
    /// Revisions of each family, revision N at index N-1.
    var families = JournaledMap<[ECSAPI.TaskDefinition]>()
    /// Tags by resource ARN.
    var tags = JournaledMap<[ECSAPI.Tag]>()
    /// Services by "cluster/name".
    var services = JournaledMap<LocalService>()
    var tasks = JournaledMap<LocalTask>()
    /// Images whose tasks never become healthy, so their rollouts fail (tests and demos).
    var failingImages: [String] = []
    var nextID = 1

    /// The change is journaled: forget what the entries held before it.
    mutating func settle() {
        clusters.settle(); families.settle(); tags.settle(); services.settle(); tasks.settle()
    }

    /// The call failed: every entry goes back to what it held before it.
    mutating func undo() {
        clusters.undo(); families.undo(); tags.undo(); services.undo(); tasks.undo()
    }

    /// Forgets everything, as changes a journal line can say.
    mutating func clear() {
        clusters.removeAll(); families.removeAll(); tags.removeAll(); services.removeAll(); tasks.removeAll()
        failingImages = []
        nextID = 1
    }

    mutating func makeID() -> String {
        defer { nextID += 1 }
        return String(format: "%012x", nextID)
    }
}

struct LocalCluster: Codable, Sendable, Equatable {
    var name: String
    var arn: String
    var createdAt: Date
}

/// A service and the deployments ECS would show for it. Held by reference and copied on
/// write: a call's undo keeps what each entry it changed held before (`JournaledMap`), and a
/// service copied whole (an `ECSAPI.Service` has dozens of fields) made that cost more than
/// the change.
struct LocalService: Codable, Sendable, Equatable {
    struct Fields: Codable, Sendable, Equatable {
        var service: ECSAPI.Service
        var deployments: [LocalDeployment]
        /// When DeleteService was called: the service drains for `pace` seconds, then is INACTIVE.
        var deletedAt: Date?
    }

    private var storage: Shared<Fields>

    init(service: ECSAPI.Service, deployments: [LocalDeployment], deletedAt: Date? = nil) {
        storage = Shared(Fields(service: service, deployments: deployments, deletedAt: deletedAt))
    }

    init(from decoder: any Decoder) throws { storage = Shared(try Fields(from: decoder)) }
    func encode(to encoder: any Encoder) throws { try storage.value.encode(to: encoder) }

    var service: ECSAPI.Service {
        get { storage.value.service }
        set { storage = storage.with { $0.service = newValue } }
    }
    var deployments: [LocalDeployment] {
        get { storage.value.deployments }
        set { storage = storage.with { $0.deployments = newValue } }
    }
    var deletedAt: Date? {
        get { storage.value.deletedAt }
        set { storage = storage.with { $0.deletedAt = newValue } }
    }

    /// Deleted, and not yet INACTIVE.
    var draining: Bool { service.status == "DRAINING" }
    /// Its primary deployment is rolling out.
    var rollingOut: Bool { deployments.contains { $0.status == "PRIMARY" && $0.rolloutState == "IN_PROGRESS" } }

    static func == (a: LocalService, b: LocalService) -> Bool { a.storage === b.storage || a.storage.value == b.storage.value }
}

/// An immutable value behind one reference: copying it costs one retain, changing it makes a
/// new one, so two states share every entry a call did not change.
final class Shared<Value: Sendable>: Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }

    func with(_ change: (inout Value) -> Void) -> Shared {
        var copy = value
        change(&copy)
        return Shared(copy)
    }
}

/// One deployment of a service, with the times that decide its progress.
struct LocalDeployment: Codable, Sendable, Equatable {
    var id: String
    var arn: String
    var taskDefinition: String
    var desiredCount: Int
    var createdAt: Date
    var updatedAt: Date
    /// PRIMARY, ACTIVE or INACTIVE (ECS's deployment status).
    var status: String
    /// IN_PROGRESS, COMPLETED or FAILED.
    var rolloutState: String
    var rolloutStateReason: String
    var failedTasks: Int
    /// The ServiceDeployment API's status (IN_PROGRESS, SUCCESSFUL, ROLLBACK_IN_PROGRESS, ...).
    var serviceDeploymentStatus: String
    var finishedAt: Date?
    /// The deployment this one rolls back, when it is a circuit-breaker rollback.
    var rollbackOf: String?
    var sourceTaskDefinition: String?
}

/// A task, held like `LocalService`.
struct LocalTask: Codable, Sendable, Equatable {
    struct Fields: Codable, Sendable, Equatable {
        var task: ECSAPI.Task
        var startedAt: Date
        var fails: Bool
    }

    private var storage: Shared<Fields>

    init(task: ECSAPI.Task, startedAt: Date, fails: Bool) { storage = Shared(Fields(task: task, startedAt: startedAt, fails: fails)) }
    init(from decoder: any Decoder) throws { storage = Shared(try Fields(from: decoder)) }
    func encode(to encoder: any Encoder) throws { try storage.value.encode(to: encoder) }

    var task: ECSAPI.Task {
        get { storage.value.task }
        set { storage = storage.with { $0.task = newValue } }
    }
    var startedAt: Date {
        get { storage.value.startedAt }
        set { storage = storage.with { $0.startedAt = newValue } }
    }
    var fails: Bool {
        get { storage.value.fails }
        set { storage = storage.with { $0.fails = newValue } }
    }

    static func == (a: LocalTask, b: LocalTask) -> Bool { a.storage === b.storage || a.storage.value == b.storage.value }
}
