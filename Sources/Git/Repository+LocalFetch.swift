import CGit2
import Foundation

extension Repository {
    /// Objects a local fetch copies one by one before it hands the work to libgit2's fetch,
    /// which writes one pack (a first fetch of a long history would be thousands of loose files).
    static let localCopyLimit = 5_000

    /// The folder of a repository `url` names on this machine (`file://` or an absolute path).
    static func localPath(_ url: String) -> String? {
        if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
        return url.hasPrefix("/") ? url : nil
    }

    /// Fetches from a repository on this machine by copying only the objects this one lacks,
    /// then moving the references as `refspecs` say (`+` forces; `prune` deletes destination
    /// references the source no longer has). Returns false, having changed no reference, for a
    /// repository without references yet or when more than `localCopyLimit` objects are
    /// missing: the caller fetches through libgit2 then.
    ///
    /// libgit2's local transport builds a pack for every fetch and, to leave out what is already
    /// here, reads the whole tree of every commit this repository has: with a few thousand files
    /// that is most of a fetch's time, however small the change. Here a tree is entered only
    /// when this repository lacks it, so a fetch costs what it brings. Objects are written
    /// children first, and a repack keeps loose what only its old packs held (`repack`), so an
    /// object present here always has everything it points to.
    func fetchLocal(from sourcePath: String, refspecs: [String], prune: Bool) throws(GitError) -> Bool {
        let source = try Repository.open(at: sourcePath)
        let specs = try refspecs.map { spec throws(GitError) in try LocalRefspec(spec) }
        // Each destination, the commit it gets, and whether its refspec forces it.
        var wanted: [String: (target: ObjectID, force: Bool)] = [:]
        // Any error reading them stops the fetch, so nothing is pruned on a misread.
        for (name, target) in try source.referenceTargets().sorted(by: { $0.key < $1.key }) {
            for spec in specs {
                if let destination = spec.destination(for: name) { wanted[destination] = (target, spec.force) }
            }
        }
        // Into an empty repository everything comes: one pack from libgit2 is the better shape.
        guard try !references(matching: "refs/*").isEmpty else { return false }
        let copier = try ObjectCopier(from: source, to: self)
        // Each reference's current target is held here whole: the copy compares with it.
        for (name, (target, _)) in wanted.sorted(by: { $0.key < $1.key }) {
            guard try copier.copy(target, limit: Self.localCopyLimit, have: referenceTarget(name)) else { return false }
        }
        for (name, (target, force)) in wanted.sorted(by: { $0.key < $1.key }) {
            let current = try referenceTarget(name)
            guard current != target else { continue }
            if let current, !force, try !isAncestor(current, of: target) {
                throw GitError(
                    code: .nonFastForward, message: "\(name) would move from \(current.short) to \(target.short), not a fast-forward",
                    operation: "fetch from \(sourcePath)")
            }
            var oid = target.raw
            var ref: OpaquePointer?
            try check(git_reference_create(&ref, handle, name, &oid, 1, "berth: fetch"), "update \(name)")
            git_reference_free(ref)
        }
        if prune {
            for spec in specs {
                let names = spec.isPattern ? try references(matching: spec.destinationGlob) : [spec.target.prefix]
                for name in names where wanted[name] == nil { try deleteReference(name) }
            }
        }
        return true
    }
}

extension Repository {
    /// Copies `root` and what it points to that this repository lacks from the repository at
    /// `sourcePath`, children first, moving no reference: what moving a reference here by
    /// compare-and-swap needs first. False, having written nothing, when more than
    /// `localCopyLimit` objects are missing (then a fetch writes them as one pack).
    /// `have`: a commit this repository holds whole (the reference's current target).
    package func copyMissingObjects(from sourcePath: String, reachableFrom root: ObjectID, have: ObjectID? = nil) throws(GitError) -> Bool {
        try ObjectCopier(from: try Repository.open(at: sourcePath), to: self).copy(root, limit: Self.localCopyLimit, have: have)
    }
}

/// A fetch refspec (`[+]src:dst`, each side with at most one `*`), as a local fetch reads it.
struct LocalRefspec {
    let force: Bool
    let source: (prefix: String, suffix: String)
    let target: (prefix: String, suffix: String)
    let isPattern: Bool

    init(_ text: String) throws(GitError) {
        force = text.hasPrefix("+")
        let body = force ? String(text.dropFirst()) : text
        let sides = body.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard sides.count == 2, !sides[0].isEmpty, !sides[1].isEmpty,
            sides[0].filter({ $0 == "*" }).count == sides[1].filter({ $0 == "*" }).count,
            sides[0].filter({ $0 == "*" }).count <= 1
        else {
            throw GitError(code: .invalidSpec, message: "cannot read refspec \(text)", operation: "fetch")
        }
        isPattern = sides[0].contains("*")
        func split(_ side: String) -> (String, String) {
            guard let star = side.firstIndex(of: "*") else { return (side, "") }
            return (String(side[..<star]), String(side[side.index(after: star)...]))
        }
        source = split(sides[0])
        target = split(sides[1])
    }

    /// Where the source reference `name` goes, nil when this refspec does not take it.
    func destination(for name: String) -> String? {
        guard isPattern else { return name == source.prefix ? target.prefix : nil }
        guard name.hasPrefix(source.prefix), name.hasSuffix(source.suffix),
            name.count >= source.prefix.count + source.suffix.count + 1
        else { return nil }
        let middle = name.dropFirst(source.prefix.count).dropLast(source.suffix.count)
        return target.prefix + middle + target.suffix
    }

    var destinationGlob: String { target.prefix + "*" + target.suffix }
}

/// Copies objects between two object databases, children before the objects that point to them.
final class ObjectCopier {
    let source: Repository
    let sourceOdb: OpaquePointer
    let targetOdb: OpaquePointer
    var copied = 0

    init(from source: Repository, to target: Repository) throws(GitError) {
        self.source = source
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, source.handle), "open the source's objects")
        sourceOdb = odb!
        var mine: OpaquePointer?
        let rc = git_repository_odb(&mine, target.handle)
        if rc < 0 { git_odb_free(sourceOdb) }
        try check(rc, "open the objects")
        targetOdb = mine!
    }

    deinit {
        git_odb_free(sourceOdb)
        git_odb_free(targetOdb)
    }

    /// How many times the copy asked whether this repository holds an object.
    private(set) var asked = 0

    func has(_ id: ObjectID) -> Bool {
        asked += 1
        var oid = id.raw
        return git_odb_exists(targetOdb, &oid) == 1
    }

    /// Copies `root` and whatever it points to that is missing; false, having written nothing,
    /// past `limit` objects (the caller fetches one pack instead). `have`, a commit this
    /// repository holds whole (the one the reference about to move points at), is compared
    /// with along the way: where a folder of `root` names at some place the id `have`'s folder
    /// names there, that entry is not asked after. A notes tree of 256 folders changes one of
    /// them per note, and asking after the other 255 was a file lookup each in a repository of
    /// loose objects (benchmark 7). `have` is trusted to be held whole, as git trusts what its
    /// references reach; one this repository does not have, or the source cannot read, is
    /// not used.
    func copy(_ root: ObjectID, limit: Int, have: ObjectID? = nil) throws(GitError) -> Bool {
        guard !has(root) else { return true }
        var held = Set<ObjectID>()
        // Each folder of `root`'s that is to be entered, and `have`'s folder at the same place.
        var counterparts: [ObjectID: ObjectID] = [:]
        if let have, has(have), let haveTree = try? source.treeID(of: have) {
            held = [have, haveTree]
            if let rootTree = try? source.treeID(of: root) { counterparts[rootTree] = haveTree }
        }
        var stack: [(id: ObjectID, children: Bool)] = [(root, false)]
        var entered = Set<ObjectID>()
        // Children before the objects that point to them.
        var order: [ObjectID] = []
        while let (id, expanded) = stack.popLast() {
            if expanded {
                order.append(id)
                continue
            }
            // Asked after once, when it was put on the stack.
            guard entered.insert(id).inserted else { continue }
            copied += 1
            if copied > limit { return false }
            stack.append((id, true))
            let known = counterparts[id].flatMap { try? entries(of: $0) } ?? [:]
            for child in try children(of: id) where !entered.contains(child.id) && !held.contains(child.id) {
                if let name = child.name, let old = known[name] {
                    if old.id == child.id { continue }
                    if old.isTree && child.isTree { counterparts[child.id] = old.id }
                }
                guard !has(child.id) else { continue }
                stack.append((child.id, false))
            }
        }
        for id in order { try write(id) }
        return true
    }

    /// A folder's entries by name, as the source holds it (not submodule commits, which no
    /// repository here holds).
    private func entries(of tree: ObjectID) throws(GitError) -> [[UInt8]: (id: ObjectID, isTree: Bool)] {
        var result: [[UInt8]: (id: ObjectID, isTree: Bool)] = [:]
        for child in try children(of: tree) {
            if let name = child.name { result[name] = (child.id, child.isTree) }
        }
        return result
    }

    /// What an object points to: a commit's tree and parents, a tree's entries (not submodule
    /// commits) with their names and whether each is a folder, a tag's target.
    func children(of id: ObjectID) throws(GitError) -> [(id: ObjectID, name: [UInt8]?, isTree: Bool)] {
        var oid = id.raw
        var object: OpaquePointer?
        try check(git_object_lookup(&object, source.handle, &oid, GIT_OBJECT_ANY), "read \(id.short) from the source")
        defer { git_object_free(object) }
        switch git_object_type(object) {
        case GIT_OBJECT_COMMIT:
            let parents = (0..<git_commit_parentcount(object)).map { ObjectID(git_commit_parent_id(object, $0)!.pointee) }
            return [(ObjectID(git_commit_tree_id(object)!.pointee), nil, true)] + parents.map { ($0, nil, false) }
        case GIT_OBJECT_TREE:
            return (0..<git_tree_entrycount(object)).compactMap { index in
                let entry = git_tree_entry_byindex(object, index)
                guard git_tree_entry_filemode(entry) != GIT_FILEMODE_COMMIT else { return nil }
                let name = git_tree_entry_name(entry).map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) }
                return (ObjectID(git_tree_entry_id(entry)!.pointee), name, git_tree_entry_type(entry) == GIT_OBJECT_TREE)
            }
        case GIT_OBJECT_TAG:
            return [(ObjectID(git_tag_target_id(object)!.pointee), nil, false)]
        default:
            return []
        }
    }

    func write(_ id: ObjectID) throws(GitError) {
        try copyObject(id, from: sourceOdb, to: targetOdb)
    }
}

/// Reads object `id` from one object database and writes it, as it is, to another. What is
/// written must hash to `id`: a corrupted object fails here, and is never stored under another.
func copyObject(_ id: ObjectID, from source: OpaquePointer?, to target: OpaquePointer?) throws(GitError) {
    var oid = id.raw
    var object: OpaquePointer?
    try check(git_odb_read(&object, source, &oid), "read \(id.short)")
    defer { git_odb_object_free(object) }
    var written = git_oid()
    try check(
        git_odb_write(&written, target, git_odb_object_data(object), git_odb_object_size(object), git_odb_object_type(object)),
        "write \(id.short)")
    guard git_oid_equal(&written, &oid) == 1 else {
        throw GitError(
            code: .other(-1), message: "object \(id.short) is corrupt: its contents hash to \(ObjectID(written).short)",
            operation: "copy \(id.short)", errorClass: 0)
    }
}
