import Git
import Manifests
import Trust

/// The rendered states of the last few commits the log looked at, by what they were rendered
/// from: a commit and its parent are usually the next commit's state and its parent's, so each
/// commit is loaded about once, and only by what changed since the one before.
struct StateWindow {
    struct State: Sendable {
        /// The services as loaded, in the loader's order (a patched load keeps it).
        let rendered: [RenderedService]
        let trust: SigningTrust?
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
        return state
    }
}
