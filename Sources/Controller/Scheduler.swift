import Foundation
import Git
import Plan
import Records

/// What the controller decides, apart from doing it: which environments a pass takes, which
/// wait out a backoff or a stall, which join the worker already on their head and which
/// supersede it, when a resync is due and how long the loop sleeps. A value with no I/O and no
/// clock of its own: every decision is given `now`, so its tests run on a virtual clock.
struct Scheduler: Sendable {
    /// What a pass does with one environment.
    enum Decision: Equatable, Sendable {
        /// Nothing changed for it, and no resync or request is due.
        case skip
        /// Its last try of this head and inputs failed; not again before the backoff ends (or
        /// ever, for a terminal error, until the head or inputs change).
        case wait
        /// A worker is already on this head: the pass waits for that one.
        case join
        /// A new worker, for `cause`; `observeAll` observes every service, not only those the
        /// head changed; `supersede` cancels the worker before it (it starts once that stopped).
        case start(cause: DeploymentRecord.Trigger, observeAll: Bool, supersede: Bool)
    }

    /// The last worker started for an environment.
    struct Worker: Equatable, Sendable {
        /// Tells this worker's end from that of one it superseded.
        let id: Int
        let head: ObjectID
        /// It observes every service, not only those its head changed.
        let full: Bool
        /// It has ended (converged or not): a pass on its head no longer joins it.
        var done = false
    }

    /// A failed head and inputs, and when to try them again.
    struct Backoff: Equatable, Sendable {
        var head: ObjectID
        var fingerprint: String?
        var failures: Int
        var notBefore: Date
    }

    let interval: TimeInterval
    let resync: TimeInterval

    private(set) var lastFull = Date.distantPast
    /// Fetches failed in a row (`nextWait`).
    private(set) var fetchFailures = 0
    /// Each environment's desired state (a fingerprint) when it last converged.
    private(set) var converged: [String: String] = [:]
    /// Each environment's services (`DesiredService.specs`) when it last converged: a new
    /// head observes only the services it changed (`ApplyOptions.settled`).
    private(set) var settled: [String: [String: ServiceSpecs]] = [:]
    private(set) var backoff: [String: Backoff] = [:]
    /// The last worker started for each environment (running, waiting for the one before it,
    /// or done).
    private(set) var workers: [String: Worker] = [:]
    private var started = 0
    /// Environments whose worker is running now (it may still wait for the one before it).
    private(set) var reconciling: Set<String> = []
    /// Environments asked for a pass (`berth reconcile`, the page's button): taken on the next
    /// pass even when nothing changed, past any backoff or stall.
    private(set) var requested: Set<String> = []
    private var owned: Set<String> = []
    /// The last wake was a request, not the webhook: its pass is a person's (`manual`).
    private var wokenByRequest = false

    init(interval: TimeInterval, resync: TimeInterval) {
        self.interval = interval
        self.resync = resync
    }

    // MARK: Fetching

    mutating func fetched(ok: Bool) { fetchFailures = ok ? 0 : fetchFailures + 1 }

    /// How long the loop waits before the next pass: the interval, or after failed fetches a
    /// growing wait (1 s, 2 s, 4 s, … up to the interval), so a webhook's commit that a failed
    /// fetch missed is not left until the next interval.
    func nextWait() -> TimeInterval {
        guard fetchFailures > 0 else { return interval }
        return min(interval, pow(2, Double(min(fetchFailures, 20) - 1)))
    }

    // MARK: Requests

    /// Asks for a pass over `names`; the pass that follows is `manual`.
    mutating func request(_ names: some Sequence<String>) {
        requested.formUnion(names)
        wokenByRequest = true
    }

    /// The trigger a pass records: a webhook wake that a request caused is a person's.
    mutating func trigger(for woken: DeploymentRecord.Trigger) -> DeploymentRecord.Trigger {
        defer { wokenByRequest = false }
        return wokenByRequest && woken == .webhook ? .manual : woken
    }

    // MARK: A pass

    /// Whether this pass observes everything (asked for, or the resync period passed).
    mutating func resyncDue(full: Bool, now: Date) -> Bool {
        let due = full || now.timeIntervalSince(lastFull) >= resync
        if due { lastFull = now }
        return due
    }

    /// Forgets the workers of environments this replica no longer owns; says which to cancel.
    mutating func release(keeping mine: Set<String>) -> [String] {
        let lost = workers.keys.filter { !mine.contains($0) }.sorted()
        for name in lost { workers[name] = nil }
        return lost
    }

    /// What the pass does with each of `names` (the environments this replica owns, in order)
    /// at `head`. Level-based: the newest head wins, and a worker is never started twice for
    /// the same head unless a resync or a request asks.
    mutating func decide(
        _ names: [String], head: ObjectID, fingerprints: [String: String], everything: Bool, trigger: DeploymentRecord.Trigger,
        now: Date
    ) -> [(name: String, decision: Decision)] {
        var decisions: [(name: String, decision: Decision)] = []
        for name in names {
            let decision = decide(name, head: head, fingerprint: fingerprints[name], everything: everything, trigger: trigger, now: now)
            if case .start(_, let observeAll, _) = decision {
                started += 1
                workers[name] = Worker(id: started, head: head, full: observeAll)
            }
            decisions.append((name, decision))
        }
        owned = Set(names)
        return decisions
    }

    private mutating func decide(
        _ name: String, head: ObjectID, fingerprint: String?, everything: Bool, trigger: DeploymentRecord.Trigger, now: Date
    ) -> Decision {
        // Only environments whose desired state changed (or newly taken, or on resync).
        let new = !owned.contains(name)
        let changed = fingerprint != converged[name] || new
        let asked = requested.remove(name) != nil
        let running = workers[name].flatMap { $0.done ? nil : $0 }
        guard everything || changed || asked || running?.head == head else { return .skip }
        if !asked, let wait = backoff[name], wait.head == head, wait.fingerprint == fingerprint, now < wait.notBefore {
            return .wait
        }
        var supersede = false
        if let running {
            // A pass asked for while one runs on this head joins it: never cancels a rollout.
            if running.head == head && !everything && (!asked || reconciling.contains(name)) {
                // A request met by a pass that looks only at what changed is taken again, in
                // full, once that pass ends.
                if asked && !running.full { requested.insert(name) }
                return .join
            }
            supersede = true
        }
        // A resync or a request looks at everything; a new head at what it changed.
        return .start(cause: asked ? .manual : changed ? trigger : .resync, observeAll: everything || asked || new, supersede: supersede)
    }

    // MARK: A worker

    /// The worker's turn came (the one before it stopped).
    mutating func began(_ name: String) { reconciling.insert(name) }

    /// Takes in what worker `id` of `head` found. Returns whether the environment stalled just
    /// now (a terminal error, said once), and whether a request waits for it (wake the loop).
    mutating func finished(
        _ name: String, worker id: Int, head: ObjectID, fingerprint: String?, specs: [String: ServiceSpecs], converged ok: Bool,
        kind: ErrorKind, now: Date
    ) -> (stalled: Bool, requested: Bool) {
        reconciling.remove(name)
        if workers[name]?.id == id { workers[name]?.done = true }
        // A failed environment is taken again on the next head whatever it renders: a branch
        // restored after a force-push clears the refusal at once, not at the next resync.
        converged[name] = ok ? fingerprint : nil
        settled[name] = ok ? specs : nil
        return (noteResult(name, head: head, fingerprint: fingerprint, converged: ok, kind: kind, now: now), requested.contains(name))
    }

    /// Transient failures back off exponentially (interval × 2^n, at most the resync period); a
    /// terminal one stalls the environment until its head or inputs change (a freeze ending
    /// changes them), so it is tried, recorded and notified once. A success starts afresh.
    private mutating func noteResult(
        _ name: String, head: ObjectID, fingerprint: String?, converged: Bool, kind: ErrorKind, now: Date
    ) -> Bool {
        guard !converged else {
            backoff[name] = nil
            return false
        }
        let previous = backoff[name].flatMap { $0.head == head && $0.fingerprint == fingerprint ? $0 : nil }
        let failures = (previous?.failures ?? 0) + 1
        if kind == .terminal {
            backoff[name] = Backoff(head: head, fingerprint: fingerprint, failures: failures, notBefore: .distantFuture)
            return previous?.notBefore != .distantFuture
        }
        let delay = min(resync, interval * pow(2, Double(failures - 1)))
        backoff[name] = Backoff(head: head, fingerprint: fingerprint, failures: failures, notBefore: now.addingTimeInterval(delay))
        return false
    }
}
