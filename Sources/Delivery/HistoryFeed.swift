import Foundation
import Git

/// The commits a log shows, found on a thread of their own: walking 100,000 commits and telling
/// by tree ids which could change an environment is a quarter of `berth log`, and it needs
/// nothing from the rendering that follows, so the two run side by side. The walk stays at
/// most `capacity` commits ahead: the log still never holds its history.
final class HistoryFeed: @unchecked Sendable {
    /// A commit to show, with the keys the walk made for it and its parent (`StateWindow`).
    struct Item: Sendable {
        let commit: Commit
        var keys: [(id: ObjectID, key: StateWindow.Key)] = []
    }

    private let condition = NSCondition()
    private var ready: [Item] = []
    /// Taken from `ready` in one go, so the two threads meet once per batch, not per commit.
    private var taken: [Item] = []
    private var nextTaken = 0
    private var readerWaits = false
    private var walkWaits = false
    private var finished = false
    private var stopped = false
    private var failure: (any Error)?
    let capacity: Int

    init(capacity: Int = 512) {
        self.capacity = capacity
    }

    /// Runs `walk` on a new thread; it hands over commits with `push`, which says false once
    /// the reader has stopped, and asks `goingOn` between commits it does not hand over.
    func start(_ walk: @escaping @Sendable (_ push: (Item) -> Bool, _ goingOn: () -> Bool) throws -> Void) {
        let thread = Thread { [self] in
            var failed: (any Error)?
            do { try walk(push, goingOn) } catch { failed = error }
            condition.lock()
            finished = true
            failure = failed
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "berth-log-walk"
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func goingOn() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        return !stopped
    }

    private func push(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= capacity, !stopped {
            walkWaits = true
            condition.wait()
        }
        walkWaits = false
        guard !stopped else { return false }
        ready.append(item)
        if readerWaits { condition.signal() }
        return true
    }

    /// The next commit, nil at the end of the walk; the walk's error, if it failed.
    func next() throws -> Item? {
        if nextTaken < taken.count {
            defer { nextTaken += 1 }
            return taken[nextTaken]
        }
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty, !finished {
            readerWaits = true
            condition.wait()
        }
        readerWaits = false
        guard !ready.isEmpty else {
            if let failure { throw failure }
            return nil
        }
        taken.removeAll(keepingCapacity: true)
        swap(&taken, &ready)
        nextTaken = 1
        if walkWaits { condition.signal() }
        return taken[0]
    }

    /// Stops the walk (the reader is done, or failed) and waits until its thread lets go of
    /// the repository.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}
