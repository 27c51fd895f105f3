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
        let state = State(rendered: loaded.rendered, trust: loaded.config?.signing)
        recent.append((key, state))
        if recent.count > Self.size { recent.removeFirst() }
        return state
    }
}
