import Foundation
import Git

/// One handle on the mirror, held between passes and never read through, so its packs stay
/// parsed. A pass opens the mirror several times (fetch, load, records, reviews); libgit2
/// frees a pack with the last handle holding it, so without this each of them maps and reads
/// again the index of every pack it searches, a cost that grows with the mirror's packs over
/// a long run (benchmark 7). The handle is one of its own, opened after the fetch: it holds
/// the packs and nothing read (libgit2's object cache is per handle, and a held one would
/// never give its share back).
///
/// libgit2 finds a pack in its cache by path alone, so a pack a repack deleted, or wrote again
/// under the same name (the same objects), stays what every new handle gets for as long as one
/// holds it. So each sync lets go of the handle before it opens the mirror, and holds a new one
/// once fetched; the end of a repack lets go of it too (`MirrorCompactor`): packs a repack
/// replaced are not kept open, with their disk space, past it or the next pass.
final class HeldRepository: @unchecked Sendable {
    private let lock = NSLock()
    /// Only ever replaced or freed, never used: libgit2 handles are for one thread at a time.
    private var repository: Repository?

    /// Holds a new handle on the repository at `path` and every pack it has now, in place of
    /// the one held before. Nothing is held where it cannot be opened.
    func holdPacks(of path: String) {
        guard let repository = try? Repository.open(at: path), (try? repository.holdPacks()) != nil else { return }
        var replaced: Repository? = repository
        lock.withLock { swap(&replaced, &self.repository) }
        // `replaced`, the handle held before, is freed here, outside the lock.
    }

    /// Lets go of the handle held, if any (outside the lock).
    func letGo() {
        var replaced: Repository?
        lock.withLock { swap(&replaced, &repository) }
    }
}
