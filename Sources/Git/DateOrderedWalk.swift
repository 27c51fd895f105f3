/// Commits newest first by committer date, as `git log` orders them by default: a queue of the
/// commits whose children were shown, by date and then by when they were queued, so that
/// equal dates (a rebase, a scripted history) keep a child before its parent. libgit2's time
/// sort breaks such ties at random, and its topological sort reads the whole history before
/// the first commit; this holds only the frontier and the ids seen.
struct DateOrderedWalk {
    private var heap: [(commit: Commit, order: Int)] = []
    private var seen = Set<ObjectID>()
    private var queued = 0

    init(_ start: Commit) {
        push(start)
    }

    /// The next commit, its parents queued by `load`.
    mutating func next(_ load: (ObjectID) throws(GitError) -> Commit) throws(GitError) -> Commit? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        for parent in first.commit.parents where !seen.contains(parent) { push(try load(parent)) }
        return first.commit
    }

    private mutating func push(_ commit: Commit) {
        seen.insert(commit.id)
        heap.append((commit, queued))
        queued += 1
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard before(child, parent) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var index = start
        while true {
            var best = index
            for child in [2 * index + 1, 2 * index + 2] where child < heap.count && before(child, best) { best = child }
            guard best != index else { return }
            heap.swapAt(index, best)
            index = best
        }
    }

    /// Newer first; for equal dates, the one queued first.
    private func before(_ a: Int, _ b: Int) -> Bool {
        let (x, y) = (heap[a], heap[b])
        if x.commit.committer.date != y.commit.committer.date { return x.commit.committer.date > y.commit.committer.date }
        return x.order < y.order
    }
}
