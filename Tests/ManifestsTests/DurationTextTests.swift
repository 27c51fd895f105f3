@testable import Manifests
import Testing

/// Durations in messages are written without Foundation's number formatting (which loads
/// ICU's data): whole seconds as people write them, finer limits to the millisecond.
@Suite struct DurationTextTests {
    @Test func durationsAndLimitsReadAsTheyWereSet() {
        #expect(DurationText.format(120) == "2m")
        #expect(DurationText.format(3725) == "1h2m")
        #expect(DurationText.limit(120) == "2m")
        #expect(DurationText.limit(1) == "1s")
        #expect(DurationText.limit(0.3) == "0.3s")
        #expect(DurationText.limit(1.5) == "1.5s")
        #expect(DurationText.limit(0.7000000000000001) == "0.7s")
        #expect(DurationText.seconds("1m30s") == 90)
    }
}
