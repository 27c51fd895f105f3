import CLibc
import Foundation

/// Work run in order by up to `width` threads of its own. Threads start with the first work
/// and end after a second without any, so a queue per short-lived object costs nothing at
/// rest and a long-running process keeps only the threads it uses.
final class WorkQueue: @unchecked Sendable {
    enum Work {
        /// A task's job, run on the serial executor that enqueued it.
        case job(UnownedJob, UnownedSerialExecutor)
        /// A task's job that prefers a task executor (`withTaskExecutorPreference`).
        case task(UnownedJob, UnownedTaskExecutor)
        case closure(() -> Void)
    }

    let name: String
    let width: Int
    /// Whether its threads run at the least priority (`berth_lower_thread_priority`).
    let background: Bool
    /// Guards everything below.
    private let condition = NSCondition()
    private var pending: [Work] = []
    private var next = 0
    private var threads = 0
    private var idle = 0
    private static let linger: TimeInterval = 1

    init(name: String, width: Int, background: Bool = false) {
        self.name = name
        self.width = max(1, width)
        self.background = background
    }

    func add(_ work: Work) {
        condition.lock()
        pending.append(work)
        // A thread signalled but not yet awake still counts as idle: start another while the
        // work waiting outnumbers the idle threads.
        let start = pending.count - next > idle && threads < width
        if start { threads += 1 }
        condition.signal()
        condition.unlock()
        guard start else { return }
        let thread = Thread { self.drain() }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on one of the queue's threads and returns what it returned.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            add(.closure { continuation.resume(with: Result(catching: body)) })
        }
    }

    private func drain() {
        Self.current = self
        if background { _ = berth_lower_thread_priority() }
        condition.lock()
        while true {
            if next < pending.count {
                let work = pending[next]
                next += 1
                if next == pending.count {
                    // Done work holds what its closure captured: let it go.
                    pending.removeAll(keepingCapacity: true)
                    next = 0
                } else if next > 64 && next * 2 > pending.count {
                    pending.removeFirst(next)
                    next = 0
                }
                condition.unlock()
                switch work {
                case .job(let job, let executor): job.runSynchronously(on: executor)
                case .task(let job, let executor): job.runSynchronously(on: executor)
                case .closure(let body): body()
                }
                condition.lock()
                continue
            }
            idle += 1
            let woken = condition.wait(until: Date().addingTimeInterval(Self.linger))
            idle -= 1
            if !woken && next >= pending.count {
                threads -= 1
                condition.unlock()
                Self.current = nil
                return
            }
        }
    }

    /// The queue whose thread this is, if any.
    static var current: WorkQueue? {
        get { pthread_getspecific(key).map { Unmanaged<WorkQueue>.fromOpaque($0).takeUnretainedValue() } }
        set { pthread_setspecific(key, newValue.map { Unmanaged.passUnretained($0).toOpaque() }) }
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
