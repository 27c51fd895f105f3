import CGit2
import Foundation

extension Repository {
    /// The pack files in the object store. Each fetch adds one, and libgit2 has no `gc`: a
    /// long-lived mirror that is never repacked searches and maps more of them every pass.
    package var packCount: Int { packFiles.count }

    /// Takes hold of every pack the object store has now, including those written since this
    /// handle first read it. libgit2 keeps a pack (its descriptor, its index's map, its
    /// windows) in one cache for the whole process, by path, and frees it when the last
    /// repository holding it closes; while this handle lives, every other handle opened on the
    /// same store finds these packs as the first left them (`RepositoryMirror.sync`). A pack
    /// deleted since stays held, and open, until this handle is freed.
    package func holdPacks() throws(GitError) {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "open object database")
        defer { git_odb_free(odb) }
        try check(git_odb_refresh(odb), "list the packs")
    }

    var packFolder: String { (path as NSString).appendingPathComponent("objects/pack") }

    /// The size in bytes of the pack file `name` (`pack-….pack`), 0 when it is gone.
    package func packSize(_ name: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: (packFolder as NSString).appendingPathComponent(name)))?[.size] as? Int) ?? 0
    }

    /// The `pack-*.pack` file names in the object store.
    var packFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: packFolder)) ?? []).filter { $0.hasSuffix(".pack") }
    }

    /// About how many loose objects there are, counted as git's `gc --auto` does: the files in
    /// one of the 256 fan-out folders, times 256.
    package var looseObjectEstimate: Int {
        let folder = (path as NSString).appendingPathComponent("objects/17")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).count * 256
    }

    /// What a repack packed: the commits the references pointed at, and the packs that hold
    /// everything reachable from them. The next repack need pack only what is new since
    /// (`repack(since:)`), not the whole history again.
    package struct Packed: Sendable, Equatable {
        package let tips: [ObjectID]
        /// Pack file names (`pack-….pack`).
        package let packs: Set<String>

        package init(tips: [ObjectID], packs: Set<String>) {
            self.tips = tips
            self.packs = packs
        }
    }

    /// Writes every object reachable from a reference (commits with their trees and blobs, and
    /// annotated tags) into one new pack, then removes the packs that were there before (what
    /// only they held is kept loose) and the loose objects the new pack holds. Other loose
    /// objects stay until `unreachableExpiry` has passed since they were written: one being
    /// written right now (a note) may not be referenced yet.
    ///
    /// With `since` (what an earlier repack packed, while its packs are all still here), only
    /// what is reachable now and not from `since.tips` goes into the new pack, and only the
    /// packs that came after it (fetches) are replaced: the cost is what arrived since, not the
    /// length of the history. Returns how many objects the new pack holds, how many packs it
    /// replaced, and what is now packed.
    ///
    /// `exclusive` runs the expiry of old loose objects apart from fetches into this repository,
    /// when those run beside the repack: a fetch skips objects it finds here, so they expire
    /// only if no reference moved since the repack read them.
    @discardableResult
    package func repack(
        since: Packed? = nil, exclusive: (() -> Void) -> Void = { $0() }
    ) throws(GitError) -> (objects: Int, replacedPacks: Int, packed: Packed) {
        let before = packFiles
        let since = since.flatMap { Set(before).isSuperset(of: $0.packs) ? $0 : nil }
        var builder: OpaquePointer?
        try check(git_packbuilder_new(&builder, handle), "start a pack")
        defer { git_packbuilder_free(builder) }
        git_packbuilder_set_threads(builder, 1)
        var walk: OpaquePointer?
        try check(git_revwalk_new(&walk, handle), "start a history walk")
        defer { git_revwalk_free(walk) }
        var tips: [ObjectID] = []
        let listed = try referenceTargets()
        for (name, id) in listed.sorted(by: { $0.key < $1.key }) {
            var oid = id.raw
            var object: OpaquePointer?
            try check(git_object_lookup(&object, handle, &oid, GIT_OBJECT_ANY), "read \(name)")
            defer { git_object_free(object) }
            switch git_object_type(object) {
            case GIT_OBJECT_COMMIT:
                try check(git_revwalk_push(walk, &oid), "walk \(name)")
                tips.append(id)
            case GIT_OBJECT_TAG:
                // The tag object itself, and the history it points into.
                try check(git_packbuilder_insert(builder, &oid, name), "pack \(name)")
                var peeled: OpaquePointer?
                if git_object_peel(&peeled, object, GIT_OBJECT_COMMIT) == 0 {
                    defer { git_object_free(peeled) }
                    var target = git_object_id(peeled)!.pointee
                    try check(git_revwalk_push(walk, &target), "walk \(name)")
                    tips.append(ObjectID(target))
                } else {
                    try check(git_packbuilder_insert_recur(builder, git_object_id(object), name), "pack \(name)")
                }
            default:
                try check(git_packbuilder_insert_recur(builder, &oid, name), "pack \(name)")
            }
        }
        // What was packed before is left out: its commits, and the trees of its tips.
        for tip in since?.tips ?? [] where (try? commit(tip)) != nil {
            var oid = tip.raw
            try check(git_revwalk_hide(walk, &oid), "leave out \(tip.short)")
        }
        try check(git_packbuilder_insert_walk(builder, walk), "pack the history")
        let objects = git_packbuilder_object_count(builder)
        // Pack file names (`pack-….pack`): what stays, and what was written.
        let kept = since?.packs ?? []
        var written: String?
        if objects > 0 || since == nil {
            try check(git_packbuilder_write(builder, nil, 0, nil, nil), "write a pack")
            written = "pack-" + String(gitString: git_packbuilder_name(builder)) + ".pack"
        }
        let packed = kept.union(written.map { [$0] } ?? [])
        let expiring = Date().addingTimeInterval(-Self.unreachableExpiry)
        let (replaced, old) = try finishRepack(before: before, packed: packed, written: written, expiring: expiring)
        // Old loose objects nothing reached when the repack began: a fetch running beside it may
        // have found one present and moved a reference to it, so they go only if no reference
        // moved, and apart from fetches. One written again since (libgit2 touches an object it
        // finds present) is newer than the expiry by now, and stays.
        if !old.isEmpty {
            exclusive {
                guard (try? referenceTargets()) == listed else { return }
                for file in old where Self.modified(file).map({ $0 < expiring }) == true { try? FileManager.default.removeItem(atPath: file) }
            }
        }
        return (objects, replaced, Packed(tips: tips, packs: packed))
    }

    /// Every reference and the object it points at, by name.
    func referenceTargets() throws(GitError) -> [String: ObjectID] {
        var targets: [String: ObjectID] = [:]
        // A reference deleted since it was listed (another writer's scratch ref) is skipped.
        for name in try references(matching: "refs/*") { targets[name] = try referenceTarget(name) }
        return targets
    }

    /// A repack's end: the packs it replaced go, with what they alone held kept loose, and the
    /// loose objects the new pack holds go. Returns how many packs it replaced, and the loose
    /// objects it does not hold that are older than `expiring`.
    private func finishRepack(before: [String], packed: Set<String>, written: String?, expiring: Date) throws(GitError) -> (Int, [String]) {
        let folder = packFolder
        let stem = { (name: String) in (folder as NSString).appendingPathComponent(String(name.dropLast(".pack".count))) }
        let replacedPacks = before.filter { !packed.contains($0) }
            .map(stem)
            .filter { !FileManager.default.fileExists(atPath: $0 + ".keep") }  // someone wants that pack left as it is
        // What the old packs hold and no reference reaches (a deleted branch, a lost notes
        // write) is kept loose and expires by age, as git's `repack -A` and `prune` do: an
        // object here must keep everything it points to, or a fetch that finds it would trust
        // a history that is gone.
        try loosen(packs: replacedPacks, missingFrom: packed.map { stem($0) + ".idx" })
        for stem in replacedPacks {
            // The index first: a pack without one is ignored, an index without its pack is an error.
            for suffix in [".idx", ".rev", ".pack"] { try? FileManager.default.removeItem(atPath: stem + suffix) }
        }
        let old = written.map { removeLooseObjects(in: stem($0) + ".idx", olderThan: expiring) }
        return (replacedPacks.count, old ?? [])
    }

    /// Removes what a pack write that was killed leaves behind: libgit2's indexer writes a new
    /// pack to `objects/pack/pack_git2_*` and its index before the pack takes its name, and a
    /// loose write goes through `objects/tmp_object_git2_*`. Only for a caller that knows no
    /// pack is being written now (no fetch, no repack); loose writes (notes) may run at any
    /// time, so their files go only once older than `looseAge` seconds. An index left without
    /// its pack is removed too (libgit2 skips one, git's fsck complains).
    package func removeUnfinishedWrites(looseAge: TimeInterval) {
        let files = FileManager.default
        let folder = packFolder
        let names = (try? files.contentsOfDirectory(atPath: folder)) ?? []
        for name in names {
            let orphanIndex = name.hasSuffix(".idx") && !names.contains(String(name.dropLast(".idx".count)) + ".pack")
            if name.hasPrefix("pack_git2_") || name.hasSuffix(".idx.lock") || orphanIndex {
                try? files.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
            }
        }
        let objects = (path as NSString).appendingPathComponent("objects")
        let old = Date().addingTimeInterval(-looseAge)
        for name in (try? files.contentsOfDirectory(atPath: objects)) ?? [] where name.hasPrefix("tmp_object_git2_") {
            let file = (objects as NSString).appendingPathComponent(name)
            if Self.modified(file).map({ $0 < old }) == true { try? files.removeItem(atPath: file) }
        }
    }

    /// How long an object no reference reaches is kept (git's `gc.pruneExpire`).
    package static let unreachableExpiry: TimeInterval = 14 * 24 * 3600

    /// Writes loose the objects of `packs` that none of the packs indexed by `indexes` holds.
    func loosen(packs: [String], missingFrom indexes: [String]) throws(GitError) {
        guard !packs.isEmpty else { return }
        var holding: [OpaquePointer?] = []
        defer { for odb in holding { git_odb_free(odb) } }
        for index in indexes {
            var odb: OpaquePointer?
            try check(cgit_pack_odb(&odb, index), "read the pack \((index as NSString).lastPathComponent)")
            holding.append(odb)
        }
        var loose: OpaquePointer?
        try check(cgit_loose_odb(&loose, (path as NSString).appendingPathComponent("objects")), "open the loose objects")
        defer { git_odb_free(loose) }
        for stem in packs {
            var old: OpaquePointer?
            guard cgit_pack_odb(&old, stem + ".idx") == 0 else { continue }
            defer { git_odb_free(old) }
            var ids: [git_oid] = []
            _ = withUnsafeMutablePointer(to: &ids) { pointer in
                git_odb_foreach(
                    old,
                    { id, payload in
                        payload!.assumingMemoryBound(to: [git_oid].self).pointee.append(id!.pointee)
                        return 0
                    }, pointer)
            }
            for var id in ids where !holding.contains(where: { git_odb_exists($0, &id) == 1 }) && git_odb_exists(loose, &id) == 0 {
                try copyObject(ObjectID(id), from: old, to: loose)
            }
        }
    }

    /// Deletes the loose objects that the pack indexed by `index` also holds (their content is
    /// in the pack, so nothing can be lost). Returns the files of those it does not hold last
    /// written before `expiring` (no reference reached them at this repack; a write in progress
    /// is newer), for the caller to expire.
    func removeLooseObjects(in index: String, olderThan expiring: Date) -> [String] {
        var packOdb: OpaquePointer?
        guard cgit_pack_odb(&packOdb, index) == 0 else { return [] }
        defer { git_odb_free(packOdb) }
        var old: [String] = []
        let objects = (path as NSString).appendingPathComponent("objects")
        for fanout in (try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? [] where fanout.count == 2 {
            let folder = (objects as NSString).appendingPathComponent(fanout)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                var oid = git_oid()
                guard name.count == 38, git_oid_fromstr(&oid, fanout + name) == 0 else { continue }
                let file = (folder as NSString).appendingPathComponent(name)
                if git_odb_exists(packOdb, &oid) == 1 {
                    try? FileManager.default.removeItem(atPath: file)
                } else if let modified = Self.modified(file), modified < expiring {
                    old.append(file)
                }
            }
        }
        return old
    }

    /// When the file at `path` was last written, nil when it is gone.
    static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }
}
