import Foundation

/// Hands values from a thread of its own to the reader, in order: `berth log`'s stages (the
/// walk, loading, comparing, and showing on the caller's thread) run side by side on the cores
/// there are, each handing its results to the next through one of these. The producer stays
/// at most `capacity` values ahead: the log still never holds its history.
final class HandOff<Item: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [Item] = []
    /// Taken from `ready` in one go, so the two threads meet once per batch, not per commit.
    private var taken: [Item] = []
    private var nextTaken = 0
    private var readerWaits = false
    /// When the first value the waiting reader has not been woken for was handed over: it is
    /// woken for a batch (`batch` values, or one that waited `delay`), not for every value,
    /// which made the two threads meet (a futex each) once per commit.
    private var unannouncedSince: UInt64?
    static var batch: Int { 32 }
    static var delay: UInt64 { 20_000_000 }
    private var producerWaits = false
    private var finished = false
    private var stopped = false
    private var failure: (any Error)?
    let capacity: Int

    init(capacity: Int = 512) {
        self.capacity = capacity
    }

    /// Runs `produce` on a new thread named `name`; it hands values over with `push`, which
    /// says false once the reader has stopped, and asks `goingOn` between values it does not
    /// hand over.
    func start(_ name: String, _ produce: @escaping @Sendable (_ push: (Item) -> Bool, _ goingOn: () -> Bool) throws -> Void) {
        let thread = Thread { [self] in
            var failed: (any Error)?
            do { try produce(push, goingOn) } catch { failed = error }
            condition.lock()
            finished = true
            failure = failed
            condition.broadcast()
            condition.unlock()
        }
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    private func goingOn() -> Bool {
        condition.lock()
        defer { condition.unlock() }
        announce(force: false)
        return !stopped
    }

    private func push(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= capacity, !stopped {
            // A full batch the reader has not been woken for yet would keep both waiting.
            announce(force: true)
            producerWaits = true
            condition.wait()
        }
        producerWaits = false
        guard !stopped else { return false }
        ready.append(item)
        announce(force: false)
        return true
    }

    /// Wakes a waiting reader for what is ready: now (`force`), or once a batch is there or the
    /// first of it has waited long enough. Under the lock.
    private func announce(force: Bool) {
        guard readerWaits, !ready.isEmpty else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let since = unannouncedSince ?? now
        guard force || ready.count >= Self.batch || now - since >= Self.delay else {
            unannouncedSince = since
            return
        }
        unannouncedSince = nil
        condition.signal()
    }

    /// Wakes a waiting reader for whatever is ready: for a producer about to wait for its own
    /// input, which would otherwise keep what it made from the reader meanwhile.
    func flush() {
        condition.lock()
        announce(force: true)
        condition.unlock()
    }

    /// The next value, nil at the end (or once cancelled); the producer's error, if it failed.
    /// `waiting` runs (without the lock) before the reader would wait for one: a reader that
    /// buffers its output writes it out then, so what was found is seen while the rest is
    /// looked for.
    func next(waiting: () -> Void = {}) throws -> Item? {
        if nextTaken < taken.count {
            defer { nextTaken += 1 }
            return taken[nextTaken]
        }
        condition.lock()
        defer { condition.unlock() }
        if ready.isEmpty, !finished, !stopped {
            condition.unlock()
            waiting()
            condition.lock()
        }
        while ready.isEmpty, !finished, !stopped {
            readerWaits = true
            // Woken for a batch, or after `delay` at most: a value handed over just before its
            // producer went on to something long (a whole load) is not kept from the reader.
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(Self.delay) / 1e9))
        }
        readerWaits = false
        unannouncedSince = nil
        guard !ready.isEmpty, !stopped else {
            if let failure { throw failure }
            return nil
        }
        taken.removeAll(keepingCapacity: true)
        swap(&taken, &ready)
        nextTaken = 1
        if producerWaits { condition.signal() }
        return taken[0]
    }

    /// Stops the producer (the reader is done, or failed) and waits until its thread has
    /// ended (and let go of its repository).
    func stop() {
        cancel()
        condition.lock()
        while !finished { condition.wait() }
        condition.unlock()
    }

    /// Tells both sides to stop, without waiting: for a hand-off between two other threads
    /// (the log's caller stops every stage at once, not only the one it reads, which may be
    /// passing over thousands of commits without a value to hand on).
    func cancel() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
