@testable import Controller
import Foundation
import Git
import Plan
import Testing

/// The controller's decisions on a virtual clock: no repository, no target, no sleeps.
@Suite struct SchedulerTests {
    let one = ObjectID(hex: String(repeating: "1", count: 40))!
    let two = ObjectID(hex: String(repeating: "2", count: 40))!
    let start = Date(timeIntervalSince1970: 1_000_000)

    func scheduler() -> Scheduler { Scheduler(interval: 10, resync: 300) }

    /// Decisions by environment.
    func decide(
        _ scheduler: inout Scheduler, _ names: [String] = ["prod", "staging"], head: ObjectID, fingerprints: [String: String],
        everything: Bool = false, at seconds: TimeInterval = 0
    ) -> [String: Scheduler.Decision] {
        Dictionary(
            uniqueKeysWithValues: scheduler.decide(
                names, head: head, fingerprints: fingerprints, everything: everything, trigger: .webhook, now: start + seconds
            ).map { ($0.name, $0.decision) })
    }

    /// Runs every started worker to its end, converged or failing with `kind`.
    func finishAll(
        _ scheduler: inout Scheduler, _ decisions: [String: Scheduler.Decision], head: ObjectID, fingerprints: [String: String],
        failing: [String: ErrorKind] = [:], at seconds: TimeInterval = 0
    ) {
        for (name, decision) in decisions {
            guard case .start = decision else { continue }
            _ = end(&scheduler, name, head: head, fingerprint: fingerprints[name], failing: failing[name], at: seconds)
        }
    }

    /// The environment's last worker begins and ends, converged or failing with `failing`.
    func end(
        _ scheduler: inout Scheduler, _ name: String, head: ObjectID, fingerprint: String?, specs: [String: ServiceSpecs] = [:],
        failing: ErrorKind? = nil, at seconds: TimeInterval
    ) -> (stalled: Bool, requested: Bool) {
        scheduler.began(name)
        return scheduler.finished(
            name, worker: scheduler.workers[name]?.id ?? 0, head: head, fingerprint: fingerprint, specs: specs, converged: failing == nil,
            kind: failing ?? .transient, now: start + seconds)
    }

    @Test func aNewHeadStartsOnlyTheEnvironmentsItChanged() {
        var scheduler = scheduler()
        let before = ["prod": "p1", "staging": "s1"]
        let first = decide(&scheduler, head: one, fingerprints: before, everything: scheduler.resyncDue(full: true, now: start))
        // The first pass takes everything, in full.
        #expect(first["prod"] == .start(cause: .webhook, observeAll: true, supersede: false))
        finishAll(&scheduler, first, head: one, fingerprints: before)

        let after = ["prod": "p1", "staging": "s2"]
        let second = decide(&scheduler, head: two, fingerprints: after, at: 5)
        #expect(second["prod"] == .skip)
        #expect(second["staging"] == .start(cause: .webhook, observeAll: false, supersede: false))
    }

    @Test func aResyncIsDueAfterItsPeriodAndObservesEverything() {
        var scheduler = scheduler()
        let prints = ["prod": "p1", "staging": "s1"]
        let first = scheduler.resyncDue(full: false, now: start)
        #expect(first)
        finishAll(&scheduler, decide(&scheduler, head: one, fingerprints: prints, everything: true), head: one, fingerprints: prints)
        let early = scheduler.resyncDue(full: false, now: start + 299)
        #expect(!early)
        #expect(decide(&scheduler, head: one, fingerprints: prints, at: 299)["prod"] == .skip)
        let due = scheduler.resyncDue(full: false, now: start + 300)
        #expect(due)
        let resync = decide(&scheduler, head: one, fingerprints: prints, everything: true, at: 300)
        #expect(resync["prod"] == .start(cause: .resync, observeAll: true, supersede: false))
    }

    @Test func aTransientFailureBacksOffTwiceAsLongEachTimeUpToTheResync() {
        var scheduler = scheduler()
        let prints = ["prod": "p1"]
        var now: TimeInterval = 0
        var waits: [TimeInterval] = []
        var decisions = decide(&scheduler, ["prod"], head: one, fingerprints: prints, everything: true)
        for _ in 0..<7 {
            finishAll(&scheduler, decisions, head: one, fingerprints: prints, failing: ["prod": .transient], at: now)
            let notBefore = scheduler.backoff["prod"]!.notBefore
            waits.append(notBefore.timeIntervalSince(start + now))
            // Not a moment before the backoff ends; at its end, started again on the same head.
            #expect(decide(&scheduler, ["prod"], head: one, fingerprints: prints, at: notBefore.timeIntervalSince(start) - 0.001)["prod"] == .wait)
            now = notBefore.timeIntervalSince(start)
            decisions = decide(&scheduler, ["prod"], head: one, fingerprints: prints, at: now)
            #expect(decisions["prod"] == .start(cause: .webhook, observeAll: false, supersede: false))
        }
        #expect(waits == [10, 20, 40, 80, 160, 300, 300])
        // A success starts afresh.
        finishAll(&scheduler, decisions, head: one, fingerprints: prints, at: now)
        #expect(scheduler.backoff["prod"] == nil)
    }

    @Test func aTerminalFailureStallsUntilTheHeadOrInputsChangeAndSaysSoOnce() {
        var scheduler = scheduler()
        let prints = ["prod": "p1"]
        _ = decide(&scheduler, ["prod"], head: one, fingerprints: prints, everything: true)
        #expect(end(&scheduler, "prod", head: one, fingerprint: "p1", failing: .terminal, at: 0).stalled)
        // Past any backoff, and on a full resync: not tried again.
        #expect(decide(&scheduler, ["prod"], head: one, fingerprints: prints, everything: true, at: 86_400)["prod"] == .wait)
        // A request is a person saying try again: it goes past the stall, and a second terminal
        // failure is not announced again.
        scheduler.request(["prod"])
        #expect(
            decide(&scheduler, ["prod"], head: one, fingerprints: prints, at: 86_401)["prod"]
                == .start(cause: .manual, observeAll: true, supersede: false))
        #expect(!end(&scheduler, "prod", head: one, fingerprint: "p1", failing: .terminal, at: 86_401).stalled)
        // Changed inputs (a freeze ending) or a new head: taken at once.
        #expect(
            decide(&scheduler, ["prod"], head: one, fingerprints: ["prod": "p2"], at: 86_402)["prod"]
                == .start(cause: .webhook, observeAll: false, supersede: false))
        // That worker still runs when a newer head comes: superseded.
        #expect(
            decide(&scheduler, ["prod"], head: two, fingerprints: prints, at: 86_403)["prod"]
                == .start(cause: .webhook, observeAll: false, supersede: true))
    }

    @Test func aPassOnTheHeadAWorkerIsOnJoinsItAndANewerHeadSupersedesIt() {
        var scheduler = scheduler()
        let prints = ["prod": "p1"]
        _ = decide(&scheduler, ["prod"], head: one, fingerprints: prints, everything: true)
        scheduler.began("prod")
        // Still running: a webhook on the same head never cancels a rollout.
        #expect(decide(&scheduler, ["prod"], head: one, fingerprints: prints, at: 1)["prod"] == .join)
        let first = scheduler.workers["prod"]!.id
        #expect(
            decide(&scheduler, ["prod"], head: two, fingerprints: ["prod": "p2"], at: 2)["prod"]
                == .start(cause: .webhook, observeAll: false, supersede: true))
        // The superseded worker's end is not the end of the one that replaced it.
        _ = scheduler.finished("prod", worker: first, head: one, fingerprint: "p1", specs: [:], converged: false, kind: .transient, now: start + 3)
        #expect(decide(&scheduler, ["prod"], head: two, fingerprints: ["prod": "p2"], at: 4)["prod"] == .join)
    }

    @Test func aRequestMetByAPassOfChangesOnlyIsTakenAgainInFull() {
        var scheduler = scheduler()
        let before = ["prod": "p1"], after = ["prod": "p2"]
        finishAll(&scheduler, decide(&scheduler, ["prod"], head: one, fingerprints: before, everything: true), head: one, fingerprints: before)
        let changes = decide(&scheduler, ["prod"], head: two, fingerprints: after, at: 1)
        #expect(changes["prod"] == .start(cause: .webhook, observeAll: false, supersede: false))
        scheduler.began("prod")
        // Asked while that worker runs: it joins, and the request waits for the worker's end.
        scheduler.request(["prod"])
        #expect(scheduler.trigger(for: .webhook) == .manual)
        #expect(scheduler.trigger(for: .webhook) == .webhook)
        #expect(decide(&scheduler, ["prod"], head: two, fingerprints: after, at: 2)["prod"] == .join)
        let ended = scheduler.finished(
            "prod", worker: scheduler.workers["prod"]!.id, head: two, fingerprint: "p2", specs: ["web": ServiceSpecs(spec: "a", settings: "b")],
            converged: true,
            kind: .transient, now: start + 3)
        #expect(ended.requested)
        #expect(scheduler.settled["prod"] == ["web": ServiceSpecs(spec: "a", settings: "b")])
        #expect(
            decide(&scheduler, ["prod"], head: two, fingerprints: after, at: 3)["prod"] == .start(cause: .manual, observeAll: true, supersede: false))
    }

    @Test func anEnvironmentNewlyOwnedIsObservedInFullAndOneLostIsForgotten() {
        var scheduler = scheduler()
        let prints = ["prod": "p1", "staging": "s1"]
        finishAll(&scheduler, decide(&scheduler, ["staging"], head: one, fingerprints: prints, everything: true), head: one, fingerprints: prints)
        let taken = decide(&scheduler, ["prod", "staging"], head: one, fingerprints: prints, at: 1)
        #expect(taken["prod"] == .start(cause: .webhook, observeAll: true, supersede: false))
        #expect(taken["staging"] == .skip)
        #expect(scheduler.release(keeping: ["prod"]) == ["staging"])
        #expect(scheduler.workers["staging"] == nil)
    }

    @Test func failedFetchesShortenTheWaitThenItReturnsToTheInterval() {
        var scheduler = Scheduler(interval: 30, resync: 300)
        var waits: [TimeInterval] = [scheduler.nextWait()]
        for _ in 0..<7 {
            scheduler.fetched(ok: false)
            waits.append(scheduler.nextWait())
        }
        scheduler.fetched(ok: true)
        waits.append(scheduler.nextWait())
        #expect(waits == [30, 1, 2, 4, 8, 16, 30, 30, 30])
    }
}
