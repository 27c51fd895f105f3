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
    private var head = 0
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
        while ready.count - head >= capacity, !stopped { condition.wait() }
        guard !stopped else { return false }
        ready.append(item)
        condition.broadcast()
        return true
    }

    /// The next commit, nil at the end of the walk; the walk's error, if it failed.
    func next() throws -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while head == ready.count, !finished { condition.wait() }
        if head < ready.count {
            let item = ready[head]
            head += 1
            if head >= capacity {
                ready.removeFirst(head)
                head = 0
            }
            condition.broadcast()
            return item
        }
        if let failure { throw failure }
        return nil
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
