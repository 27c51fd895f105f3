import ECSModel
import Foundation

/// Everything the local ECS backend holds, as one Codable value persisted to a state file.
struct LocalState: Codable, Sendable {
    /// 3: revisions' bodies in the revisions file (`LocalRevision`); 2: revisions one by one,
    /// whole; 1: each family's list whole (all still read).
    var version = 3
    var clusters = JournaledMap<LocalCluster>()
    /// How many revisions each family has.
    var revisionCounts = JournaledMap<Int>()
    /// Every revision, by `family:revision`: a registration journals the one revision it adds,
    /// where a family's whole history in one entry made each registration write all of it again
    /// (the journal line, and so each call, grew with the family: benchmark 7).
    var revisions = JournaledMap<LocalRevision>()
    /// Tags by resource ARN.
    var tags = JournaledMap<[ECSAPI.Tag]>()
    /// Services by "cluster/name".
    var services = JournaledMap<LocalService>()
    var tasks = JournaledMap<LocalTask>()
    /// CodeDeploy's applications, deployment groups and deployments (`LocalCodeDeployEntry`).
    var codeDeploy = JournaledMap<LocalCodeDeployEntry>()
    /// Lifecycle stages whose hooks fail (`berth local fail-hook`), by stage.
    var failingHooks = JournaledMap<Int>()
    /// Images whose tasks never become healthy, so their rollouts fail (tests and demos).
    var failingImages: [String] = []
    var nextID = 1
    /// Where revisions' bodies go (nil: they are held in memory, as without a state file).
    var revisionFile: LocalRevisionFile?

    /// The change is journaled: forget what the entries held before it.
    mutating func settle() {
        clusters.settle(); revisionCounts.settle(); revisions.settle(); tags.settle(); services.settle(); tasks.settle(); codeDeploy.settle();
        failingHooks.settle()
    }

    /// The call failed: every entry goes back to what it held before it.
    mutating func undo() {
        clusters.undo(); revisionCounts.undo(); revisions.undo(); tags.undo(); services.undo(); tasks.undo(); codeDeploy.undo(); failingHooks.undo()
    }

    /// Forgets everything, as changes a journal line can say.
    mutating func clear() {
        clusters.removeAll(); revisionCounts.removeAll(); revisions.removeAll(); tags.removeAll(); services.removeAll(); tasks.removeAll()
        codeDeploy.removeAll(); failingHooks.removeAll()
        failingImages = []
        nextID = 1
    }

    /// Revision `number` of `family`, its body read from the revisions file when it is there.
    func revision(_ family: String, _ number: Int) throws -> ECSAPI.TaskDefinition? {
        let key = Self.revisionKey(family, number)
        return try revisions[key]?.definition(in: revisionFile, key: key)
    }

    /// The status of revision `number` of `family`, without reading its body.
    func status(_ family: String, _ number: Int) -> String? {
        revisions[Self.revisionKey(family, number)]?.status
    }

    /// Adds revision `number` of `family`, registered with `tags`: both go to the revisions file
    /// when there is one.
    mutating func add(_ definition: ECSAPI.TaskDefinition, tags registered: [ECSAPI.Tag]?, family: String, revision number: Int) throws {
        guard let revisionFile else {
            set(definition, family: family, revision: number)
            if let registered, let arn = definition.taskDefinitionArn { tags[arn] = registered }
            return
        }
        let (offset, length) = try revisionFile.append(LocalRevisionFile.Line(definition: definition, tags: registered))
        put(
            LocalRevision(
                status: definition.status ?? ECSStatus.active, deregisteredAt: definition.deregisteredAt, stored: offset, length: length),
            family: family, revision: number)
    }

    /// The tags of `resource`: those set on it, else for a stored revision, those it was
    /// registered with.
    func tags(of resource: String) throws -> [ECSAPI.Tag]? {
        if let set = tags[resource] { return set }
        guard let name = resource.split(separator: "/", maxSplits: 1).last, resource.contains(":task-definition/"),
            let revision = revisions[String(name)]
        else { return nil }
        guard let line = try revision.stored(in: revisionFile, key: String(name)), line.definition.taskDefinitionArn == resource else { return nil }
        return line.tags
    }

    /// Sets revision `number` of `family` with its body held (no state file, or as read from an
    /// old one).
    private mutating func set(_ definition: ECSAPI.TaskDefinition, family: String, revision number: Int) {
        put(LocalRevision(definition), family: family, revision: number)
    }

    /// Puts revision `number` of `family`, counting it when it is new.
    private mutating func put(_ revision: LocalRevision, family: String, revision number: Int) {
        revisions[Self.revisionKey(family, number)] = revision
        if number > revisionCounts[family] ?? 0 { revisionCounts[family] = number }
    }

    /// Revisions as they were journaled before `revisions`: each family's list whole.
    mutating func setFamilies(_ families: [String: [ECSAPI.TaskDefinition]?]) {
        for (family, list) in families {
            for number in 0..<(revisionCounts[family] ?? 0) { revisions[Self.revisionKey(family, number + 1)] = nil }
            revisionCounts[family] = nil
            for (index, definition) in (list ?? []).enumerated() { set(definition, family: family, revision: index + 1) }
        }
    }

    static func revisionKey(_ family: String, _ number: Int) -> String { "\(family):\(number)" }

    mutating func makeID() -> String {
        defer { nextID += 1 }
        return String(format: "%012x", nextID)
    }
}

extension LocalState {
    private enum CodingKeys: String, CodingKey {
        case version, clusters, revisionCounts, revisions, tags, services, tasks, codeDeploy, failingHooks, failingImages, nextID
        /// State files written before `revisions`.
        case families
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        // A newer berth's state would be read as something else (and written back so).
        let written = try container.decodeIfPresent(Int.self, forKey: .version) ?? 1
        guard written <= version else {
            throw LocalStateError("the local ECS state was written by a newer berth (format \(written), this one reads up to \(version))")
        }
        clusters = try container.decodeIfPresent(JournaledMap<LocalCluster>.self, forKey: .clusters) ?? JournaledMap()
        revisionCounts = try container.decodeIfPresent(JournaledMap<Int>.self, forKey: .revisionCounts) ?? JournaledMap()
        revisions = try container.decodeIfPresent(JournaledMap<LocalRevision>.self, forKey: .revisions) ?? JournaledMap()
        if let families = try container.decodeIfPresent([String: [ECSAPI.TaskDefinition]].self, forKey: .families) {
            setFamilies(families)
            settle()
        }
        tags = try container.decodeIfPresent(JournaledMap<[ECSAPI.Tag]>.self, forKey: .tags) ?? JournaledMap()
        services = try container.decodeIfPresent(JournaledMap<LocalService>.self, forKey: .services) ?? JournaledMap()
        tasks = try container.decodeIfPresent(JournaledMap<LocalTask>.self, forKey: .tasks) ?? JournaledMap()
        codeDeploy = try container.decodeIfPresent(JournaledMap<LocalCodeDeployEntry>.self, forKey: .codeDeploy) ?? JournaledMap()
        failingHooks = try container.decodeIfPresent(JournaledMap<Int>.self, forKey: .failingHooks) ?? JournaledMap()
        failingImages = try container.decodeIfPresent([String].self, forKey: .failingImages) ?? []
        nextID = try container.decodeIfPresent(Int.self, forKey: .nextID) ?? 1
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(clusters, forKey: .clusters)
        try container.encode(revisionCounts, forKey: .revisionCounts)
        try container.encode(revisions, forKey: .revisions)
        try container.encode(tags, forKey: .tags)
        try container.encode(services, forKey: .services)
        try container.encode(tasks, forKey: .tasks)
        try container.encode(codeDeploy, forKey: .codeDeploy)
        try container.encode(failingHooks, forKey: .failingHooks)
        try container.encode(failingImages, forKey: .failingImages)
        try container.encode(nextID, forKey: .nextID)
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
    var draining: Bool { service.status == ECSStatus.draining }
    /// Its primary deployment is rolling out.
    var rollingOut: Bool { deployments.contains { $0.status == ECSStatus.primary && $0.rolloutState == ECSStatus.inProgress } }

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
    /// The service's deployment configuration when it started: its strategy sets the pace.
    var configuration: ECSAPI.DeploymentConfiguration? = nil
    /// Why ECS rolled it back, for the ServiceDeployment API.
    var rollbackReason: String? = nil
}

extension LocalDeployment {
    /// A new PRIMARY deployment of `taskDefinition` from `at`: rolling out, or (`completed`)
    /// steady at once, as after a swap or a rollback to tasks that still run.
    static func primary(
        id: String, arn: String, taskDefinition: String, desiredCount: Int, at: Date, completed: Bool, reason: String,
        status: String, source: String?, rollbackOf: String? = nil,
        configuration: ECSAPI.DeploymentConfiguration? = nil
    ) -> LocalDeployment {
        LocalDeployment(
            id: "ecs-svc/\(id)", arn: arn, taskDefinition: taskDefinition, desiredCount: desiredCount, createdAt: at, updatedAt: at,
            status: ECSStatus.primary, rolloutState: completed ? ECSStatus.completed : ECSStatus.inProgress, rolloutStateReason: reason,
            failedTasks: 0,
            serviceDeploymentStatus: status, finishedAt: completed ? at : nil, rollbackOf: rollbackOf, sourceTaskDefinition: source,
            configuration: configuration)
    }
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
