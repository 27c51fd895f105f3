import Git
import Manifests
import Trust

/// The rendered states of the last few commits the log looked at, by what they were rendered
/// from: a commit and its parent are usually the next commit's state and its parent's, so each
/// commit is loaded about once, and only by what changed since the one before.
struct StateWindow {
    struct State: Sendable {
        /// The services as loaded, in the loader's order (a patched load keeps it).
        var rendered: [RenderedService]
        let trust: SigningTrust?
        /// Environments whose manifests have errors here, so nothing of them is applied (and
        /// none of their services is rendered), with the first errors as the controller reports
        /// them.
        var blocked: [String: String] = [:]
        /// Every environment found here, blocked or not.
        var environments: Set<String> = []
        /// Environments whose services here are those of an earlier commit: what a controller
        /// ran while they were blocked (`lastValid`).
        var standIns: [String: StandIn] = [:]

        /// This state with `environment`'s services those of `other` (none without it).
        func with(_ environment: String, from other: State?) -> State {
            var copy = self
            copy.rendered = rendered.filter { $0.environment != environment } + (other?.rendered.filter { $0.environment == environment } ?? [])
            return copy
        }
    }

    let repo: Repository
    let root: String
    let environment: String?
    private var loader: IncrementalLoader
    private var recent: [(key: Key, state: State)] = []
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

    /// A commit's key, and the manifest root's tree there (found on the way, and handed to the
    /// loader so that it does not read the commit again).
    struct Known: Sendable {
        let key: Key
        var root: ObjectID?
    }

    private var keys: [(id: ObjectID, known: Known)] = []

    /// Whether `commit` changed what the environment is rendered from, against its first parent
    /// (whose tree the walk may have read already).
    mutating func changed(_ commit: CommitLinks, parentTree: ObjectID? = nil) throws -> Bool {
        let own = try key(commit.id, tree: commit.tree)
        guard let parent = commit.parents.first else { return own != Self.noRoot }
        return try own != key(parent, tree: parentTree)
    }

    static let noRoot = Key()

    /// Where the services of an environment blocked at a commit were taken from.
    enum StandIn: Sendable, Equatable {
        /// The last commit before, on the first-parent line, where it validated.
        case validAt(ObjectID)
        /// It never validated before: the history begins, or the manifests do not exist yet.
        case never
        /// It was blocked through `lookBack` changes before: not looked at further.
        case notFound
    }

    /// A key made for `id` (here, or on the walk's thread), kept with the last one so neither
    /// is made again.
    mutating func know(_ id: ObjectID, _ known: Known) {
        guard !keys.contains(where: { $0.id == id }) else { return }
        keys.append((id, known))
        if keys.count > 2 { keys.removeFirst() }
    }

    /// What a commit's state is rendered from, by tree ids: the root's tree, or with an
    /// environment named, the root's entries but the environments folder, and that
    /// environment's folder (`noRoot` where there is no manifest root). Nothing is named or
    /// read below those: this runs for every commit of the history.
    mutating func key(_ id: ObjectID, tree: ObjectID? = nil) throws -> Key {
        try known(id, tree: tree).key
    }

    mutating func known(_ id: ObjectID, tree: ObjectID? = nil) throws -> Known {
        if let known = keys.first(where: { $0.id == id }) { return known.known }
        let known = try makeKey(tree ?? repo.treeID(of: id))
        know(id, known)
        return known
    }

    private func makeKey(_ tree: ObjectID) throws -> Known {
        guard let environment, let (shared, environments, folder) = try repo.folderSignature(in: tree, folder: root, leavingOut: "environments")
        else {
            // The entry at `root` may be a file: then the loader finds out for itself.
            return try (root.isEmpty ? tree : repo.entryID(in: tree, at: root)).map { Known(key: Key(ids: [$0]), root: root.isEmpty ? $0 : nil) }
                ?? Known(key: Self.noRoot)
        }
        return Known(key: Key(entries: shared, ids: [try environments.flatMap { try repo.entryID(in: $0, at: environment) }]), root: folder)
    }

    mutating func state(_ id: ObjectID) throws -> State {
        let known = try known(id)
        let key = known.key
        if let index = recent.firstIndex(where: { $0.key == key }) { return recent[index].state }
        let loaded = try loader.load(repository: repo, commit: id, rootTree: known.root)
        var state = State(rendered: loaded.rendered, trust: loaded.config?.signing, environments: Set(loaded.environmentNames))
        for environment in loaded.blockedEnvironments {
            // What blocks it, each error once and in order (as `berth validate` prints them).
            let errors = (loaded.blocking[environment] ?? Diagnostics()).sorted.filter { $0.severity == .error }
            state.blocked[environment] =
                errors.prefix(3).map(\.description).joined(separator: "; ") + (errors.count > 3 ? "; \(errors.count - 3) more" : "")
        }
        recent.append((key, state))
        if recent.count > Self.size { recent.removeFirst() }
        return state
    }

    /// How many changes back `lastValid` looks for a commit where an environment validated
    /// (commits that changed nothing it is rendered from are passed over by their trees, up to
    /// `walkLimit` of them).
    static let lookBack = 100
    static let walkLimit = 10_000

    /// `state` (of commit `id`) with each of `environments`, blocked there, given the services
    /// of the last commit before `id` on its first-parent line where it was not: a commit that
    /// makes an environment valid again changes what runs from there, not from nothing.
    mutating func lastValid(_ state: State, of id: ObjectID, for environments: Set<String>) throws -> State {
        var result = state
        for environment in environments.sorted() {
            var (cursor, key) = (id, try self.key(id))
            var (changes, walked) = (0, 0)
            var standIn = StandIn.notFound
            var earlier: State?
            while changes < Self.lookBack, walked < Self.walkLimit {
                walked += 1
                guard let parent = try repo.commit(cursor).parents.first, case let parentKey = try self.key(parent), parentKey != Self.noRoot
                else {
                    standIn = .never
                    break
                }
                cursor = parent
                // Nothing it is rendered from changed: the same state, not loaded again.
                guard parentKey != key else { continue }
                (key, changes) = (parentKey, changes + 1)
                let loaded = try self.state(parent)
                if loaded.blocked[environment] == nil {
                    (standIn, earlier) = (.validAt(parent), loaded)
                    break
                }
            }
            result = result.with(environment, from: earlier)
            result.blocked[environment] = nil
            result.standIns[environment] = standIn
        }
        return result
    }
}
