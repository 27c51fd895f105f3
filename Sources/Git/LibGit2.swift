import CGit2
import Foundation
import Synchronization

/// libgit2 must be initialised once per process before any other call; `git_libgit2_init`
/// is reference-counted, and a lazily initialised static runs it exactly once, thread-safely.
package enum LibGit2 {
    private static let initResult: Int32 = {
        let rc = git_libgit2_init()
        // Trees are cached up to 1 MiB each (libgit2 keeps none over 4 KiB by default): a folder
        // of hundreds of services is read at every step of a walk, and each read of it out of a
        // pack resolves a chain of deltas. What is read again is the last commit's and its parent's
        // trees: the cache is bounded at 4 MiB of raw objects (default 256; parsed, they take two
        // to three times that), and 64 or 16 MiB were no faster for `berth log` at 100,000
        // commits or the controller at 3,000 services, only larger. Commits are not cached: a walk
        // reads each once, and 100,000 of them churned the cache's table for nothing. Objects are
        // still hashed on every read (about 5 % of `berth log`): a local fetch and a repack copy
        // objects by id, and a corrupted one must fail there, not be copied under another id.
        _ = cgit_set_cache_object_limit(GIT_OBJECT_TREE, 1 << 20)
        _ = cgit_set_cache_max_size(4 << 20)
        _ = cgit_set_cache_object_limit(GIT_OBJECT_COMMIT, 0)
        // Packs are read through mapped windows, 8 GiB of them by default: a long-running
        // controller whose mirror is repacked keeps windows of packs since replaced, and each
        // page read stays resident. Bounded, the least recently used windows and files are let
        // go (benchmark 7).
        _ = cgit_set_mwindow_mapped_limit(32 << 20)
        _ = cgit_set_mwindow_file_limit(64)
        return rc
    }()

    static func bootstrap() {
        _ = initResult
    }

    /// What libgit2's object cache holds now, in bytes of raw objects, across every repository
    /// of the process (what `GIT_OPT_SET_CACHE_MAX_SIZE` bounds).
    package static var cachedBytes: Int {
        bootstrap()
        var current = 0, allowed = 0
        _ = cgit_get_cached_memory(&current, &allowed)
        return current
    }

    /// How many trees each repository keeps open after reading them (`Repository.withTree`):
    /// none while libgit2's cache keeps them.
    static let keptTrees = Atomic<Int>(0)
}

extension Repository {
    /// For a process that from now on only reads and prints (`berth log`, once its records are
    /// fetched): objects are no longer hashed again as they are read (git itself never does;
    /// it was a tenth of `berth log`). Nothing read after this is copied or written anywhere,
    /// so a corrupted object cannot spread under another id, which is why every other process
    /// keeps the check; a damaged pack still fails its zlib checksums. Nor are objects cached:
    /// such a process reads each object about once, so the cache only churned (a quarter of the
    /// log's walk went to looking ids up in it, and 50 MiB to holding them); each repository
    /// keeps its last few trees instead. Process-wide.
    package static func readOnlyProcess() {
        LibGit2.bootstrap()
        _ = cgit_set_strict_hash_verification(0)
        _ = cgit_enable_caching(0)
        LibGit2.keptTrees.store(8, ordering: .relaxed)
    }
}

/// Turns a libgit2 return code into a thrown `GitError`. It must run straight after the failing
/// call: libgit2 keeps its last error per thread.
@discardableResult
func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(GitError) -> Int32 {
    guard rc < 0 else { return rc }
    throw GitError.fromLast(code: rc, operation: operation())
}

/// Copies a C array of strings into a `git_strarray` whose storage lives for the closure's duration.
func withStrArray<R>(_ strings: [String], _ body: (inout git_strarray) throws -> R) rethrows -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return try pointers.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return try body(&array)
    }
}

extension String {
    /// A Swift string from a possibly-NULL C string.
    init(gitString pointer: UnsafePointer<CChar>?) {
        self = pointer.map { String(cString: $0) } ?? ""
    }
}
