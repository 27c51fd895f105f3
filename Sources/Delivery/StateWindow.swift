import Canonical
import ECSModel
import Git
import Manifests
import Plan
import Trust

/// The rendered states of the last few commits the log looked at, by what they were rendered
/// from: a commit and its parent are usually the next commit's state and its parent's, so each
/// commit is loaded about once, and only by what changed since the one before.
struct StateWindow {
    struct State {
        /// The services as loaded, in the loader's order (a patched load keeps it).
        let rendered: [RenderedService]
        let trust: SigningTrust?
    }

    /// What the log compares of a service: its hashes, and the canonical forms a changed one is
    /// diffed by. Made only for a rendering that differs from the one it is compared with.
    struct ServiceState {
        let specHash: String
        let settingsHash: String
        let taskDefinition: JSONValue
        let settings: JSONValue

        func same(as other: ServiceState) -> Bool { specHash == other.specHash && settingsHash == other.settingsHash }
    }

    let repo: Repository
    let root: String
    let environment: String?
    private var loader: IncrementalLoader
    private var recent: [(key: Key, state: State)] = []
    /// By render id: nil for a rendering whose requests cannot be made (left out, as before).
    private var compared: [UInt64: ServiceState?] = [:]
    private var loads = 0
    static let size = 4

    init(repo: Repository, root: String, environment: String?) {
        self.repo = repo
        self.root = root
        self.environment = environment
        loader = IncrementalLoader(path: root, environments: environment.map { [$0] })
    }

    /// Entry names and ids: a renamed file with the same contents is a change too.
    struct Key: Equatable, Sendable {
        var entries: [UInt8] = []
        var ids: [ObjectID?] = []
    }

    private var keys: [(id: ObjectID, key: Key)] = []

    /// Whether `commit` changed what the environment is rendered from, against its first parent
    /// (whose tree the walk may have read already).
    mutating func changed(_ commit: Commit, parentTree: ObjectID? = nil) throws -> Bool {
        let own = try key(commit.id, tree: commit.tree)
        guard let parent = commit.parents.first else { return own != Self.noRoot }
        return try own != key(parent, tree: parentTree)
    }

    static let noRoot = Key()

    /// A key made for `id` (here, or on the walk's thread), kept with the last one so neither
    /// is made again.
    mutating func know(_ id: ObjectID, _ key: Key) {
        guard !keys.contains(where: { $0.id == id }) else { return }
        keys.append((id, key))
        if keys.count > 2 { keys.removeFirst() }
    }

    /// What a commit's state is rendered from, by tree ids: the root's tree, or with an
    /// environment named, the root's entries but the environments folder, and that
    /// environment's folder (`noRoot` where there is no manifest root). Nothing is named or
    /// read below those: this runs for every commit of the history.
    mutating func key(_ id: ObjectID, tree: ObjectID? = nil) throws -> Key {
        if let known = keys.first(where: { $0.id == id }) { return known.key }
        let key = try makeKey(tree ?? repo.treeID(of: id))
        know(id, key)
        return key
    }

    private func makeKey(_ tree: ObjectID) throws -> Key {
        guard let environment, let (shared, environments) = try repo.folderSignature(in: tree, folder: root, leavingOut: "environments") else {
            return try (root.isEmpty ? tree : repo.entryID(in: tree, at: root)).map { Key(ids: [$0]) } ?? Self.noRoot
        }
        return Key(entries: shared, ids: [try environments.flatMap { try repo.entryID(in: $0, at: environment) }])
    }

    mutating func state(_ id: ObjectID) throws -> State {
        let key = try key(id)
        if let index = recent.firstIndex(where: { $0.key == key }) { return recent[index].state }
        let loaded = try loader.load(repository: repo, commit: id)
        let state = State(rendered: loaded.rendered, trust: loaded.config?.signing)
        recent.append((key, state))
        if recent.count > Self.size { recent.removeFirst() }
        // Only what the states kept can be reused (looked at now and then: it costs the size).
        loads += 1
        if loads % 64 == 0 {
            let live = Set(recent.flatMap { $0.state.rendered.map(\.renderID) })
            compared = compared.filter { live.contains($0.key) }
        }
        return state
    }

    /// What differs from `before` to `now`, by environment (every environment with services on
    /// either side, changed or not), each sorted by service. Services keep their place from one
    /// patched load to the next, so the two are compared place by place, and only renderings
    /// that differ are looked at; anything else (services added or removed, a whole load) is
    /// compared by name.
    mutating func changes(from before: State?, to now: State) -> [String: [LogEntry.ServiceChange]] {
        var result: [String: [LogEntry.ServiceChange]] = [:]
        let old = before?.rendered ?? []
        if old.count == now.rendered.count {
            var lastEnvironment: String?
            var alike = true
            for (a, b) in zip(old, now.rendered) {
                if b.environment != lastEnvironment {
                    lastEnvironment = b.environment
                    if result[b.environment] == nil { result[b.environment] = [] }
                }
                guard a.renderID != b.renderID else { continue }
                guard a.environment == b.environment, a.service == b.service else {
                    alike = false
                    break
                }
                if let change = change(b.service, from: a, to: b) { result[b.environment]!.append(change) }
            }
            if alike { return result.mapValues { $0.sorted { $0.service < $1.service } } }
            result = [:]
        }
        var byName: [String: [String: (old: RenderedService?, new: RenderedService?)]] = [:]
        for service in old { byName[service.environment, default: [:]][service.service, default: (nil, nil)].old = service }
        for service in now.rendered { byName[service.environment, default: [:]][service.service, default: (nil, nil)].new = service }
        for (environment, services) in byName {
            result[environment] = services.keys.sorted().compactMap { change($0, from: services[$0]!.old, to: services[$0]!.new) }
        }
        return result
    }

    /// How `name` changed, nil when it did not: the same rendering, or the same hashes.
    private mutating func change(_ name: String, from old: RenderedService?, to new: RenderedService?) -> LogEntry.ServiceChange? {
        if let old, let new, old.renderID == new.renderID { return nil }
        switch (old.flatMap { compare($0) }, new.flatMap { compare($0) }) {
        case (nil, _?): return .init(change: "added", service: name, fields: [])
        case (_?, nil): return .init(change: "removed", service: name, fields: [])
        case (let before?, let after?):
            guard !before.same(as: after) else { return nil }
            let fields =
                FieldDiff.full(live: before.taskDefinition, desired: after.taskDefinition).map(\.path)
                + FieldDiff.full(live: before.settings, desired: after.settings).map { "service.\($0.path)" }
            return .init(change: "changed", service: name, fields: fields)
        default: return nil
        }
    }

    /// The hashes and canonical forms of a rendering, kept by its render id.
    private mutating func compare(_ rendered: RenderedService) -> ServiceState? {
        if let known = compared[rendered.renderID] { return known }
        let made = (try? DesiredService.withCanonical(rendered)).map { desired, canonical in
            ServiceState(
                specHash: desired.specHash, settingsHash: desired.settingsHash, taskDefinition: canonical,
                settings: desired.canonicalSettings)
        }
        compared[rendered.renderID] = made
        return made
    }
}
