import Blocking
import Foundation
import Synchronization
import Testing

@testable import AWS

/// Deadlines on AWS calls, and the alarm under them: called off when the work ends, so a
/// process making thousands of calls holds no timer past each call.
@Suite struct DeadlineTests {
    @Test func workThatEndsFirstReturnsItsValue() async throws {
        let value = try await Deadline.within(5) { 42 }
        #expect(value == 42)
    }

    @Test func workPastTheDeadlineIsCancelledAndThrowsPassed() async throws {
        let cancelled = Atomic(false)
        let started = ContinuousClock.now
        await #expect(throws: Deadline.Passed.self) {
            try await Deadline.within(0.2) {
                do { try await Task.sleep(for: .seconds(600)) } catch { cancelled.store(true, ordering: .relaxed) }
                return 0
            }
        }
        let wasCancelled = cancelled.load(ordering: .relaxed)
        #expect(wasCancelled)
        // Far below the work's 600 s: the margin is for a 2-core machine whose pool other
        // tests keep busy.
        #expect(ContinuousClock.now - started < .seconds(120))
    }

    @Test func theCallersCancellationReachesTheWork() async throws {
        let task = Task { try await Deadline.within(600) { try await Task.sleep(for: .seconds(300)) } }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }

    @Test func aSleepCancelledEndsAtOnceAndOneNotCancelledEndsOnTime() async throws {
        let started = ContinuousClock.now
        let sleeper = Task { try await Alarm.sleep(600) }
        try await Task.sleep(for: .milliseconds(50))
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(ContinuousClock.now - started < .seconds(120))
        let short = ContinuousClock.now
        try await Alarm.sleep(0.1)
        #expect(ContinuousClock.now - short >= .milliseconds(90))
    }

    @Test func anAlarmFiresOnceItsTimeHasPassed() async throws {
        let fired = Atomic(0)
        let alarm = Alarm(after: 0.05) { fired.add(1, ordering: .relaxed) }
        for _ in 0..<200 where fired.load(ordering: .relaxed) == 0 { try await Task.sleep(for: .milliseconds(25)) }
        let times = fired.load(ordering: .relaxed)
        #expect(times == 1)
        alarm.cancel()
    }

    @Test func anAlarmCalledOffNeverFires() async throws {
        let fired = Atomic(0)
        // Two seconds: the margin is for a 2-core machine whose threads other tests keep busy.
        let alarms = (0..<100).map { _ in Alarm(after: 2) { fired.add(1, ordering: .relaxed) } }
        for alarm in alarms { alarm.cancel() }
        try await Task.sleep(for: .milliseconds(2500))
        let times = fired.load(ordering: .relaxed)
        #expect(times == 0)
    }
}
