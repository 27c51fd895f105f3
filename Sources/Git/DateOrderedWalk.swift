/// Commits newest first by committer date, as `git log` orders them by default: a queue of the
/// commits whose children were shown, by date and then by when they were queued, so that
/// equal dates (a rebase, a scripted history) keep a child before its parent. libgit2's time
/// sort breaks such ties at random, and its topological sort reads the whole history before
/// the first commit; this holds only the frontier and the ids seen.
struct DateOrderedWalk {
    private var heap: [(commit: CommitLinks, order: Int)] = []
    private var seen = Set<ObjectID>()
    private var queued = 0

    init(_ start: CommitLinks) {
        push(start)
    }

    /// The next commit and its parents, those not seen before queued by `load`. A parent
    /// already seen is found among the queued ones (the frontier: one commit per line of
    /// history open), or read again when it was shown already.
    mutating func next(_ load: (ObjectID) throws(GitError) -> CommitLinks) throws(GitError) -> (commit: CommitLinks, parents: [CommitLinks])? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        var parents: [CommitLinks] = []
        for id in first.commit.parents {
            if !seen.contains(id) {
                let parent = try load(id)
                push(parent)
                parents.append(parent)
            } else if let queued = heap.first(where: { $0.commit.id == id }) {
                parents.append(queued.commit)
            } else {
                parents.append(try load(id))
            }
        }
        return (first.commit, parents)
    }

    private mutating func push(_ commit: CommitLinks) {
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
        if x.commit.time != y.commit.time { return x.commit.time > y.commit.time }
        return x.order < y.order
    }
}
