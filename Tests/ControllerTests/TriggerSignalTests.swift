import Foundation
import Testing

@testable import Controller

/// The controller loop's wait: a webhook's "fetch now" ends it at once, its time ends it, and
/// a time that is up before the wait has even begun still ends it.
@Suite struct TriggerSignalTests {
    @Test(.timeLimit(.minutes(1))) func aFireBeforeTheWaitEndsItAtOnce() async {
        let signal = TriggerSignal()
        signal.fire()
        let started = ContinuousClock.now
        let fired = await signal.wait(upTo: 30)
        #expect(fired)
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test(.timeLimit(.minutes(1))) func aWaitWhoseTimeIsUpAtOnceEnds() async {
        let signal = TriggerSignal()
        // Many times: the alarm of a zero wait rings while the wait is still storing itself.
        for _ in 0..<200 {
            let fired = await signal.wait(upTo: 0)
            #expect(!fired)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aWaitEndsWhenItsTimeIsUp() async {
        let signal = TriggerSignal()
        let started = ContinuousClock.now
        let fired = await signal.wait(upTo: 0.1)
        #expect(!fired)
        #expect(ContinuousClock.now - started >= .milliseconds(90))
    }
}
