@testable import Git
import Testing

@Suite struct NetworkDeadlineTests {
    /// A limit in a message reads as it was set (BERTH_GIT_TIMEOUT=700ms), to the millisecond.
    @Test func limitsReadAsTheyWereSet() {
        #expect(NetworkDeadline.seconds(2) == "2")
        #expect(NetworkDeadline.seconds(1.5) == "1.5")
        #expect(NetworkDeadline.seconds(700 * 0.001) == "0.7")
        #expect(NetworkDeadline.seconds(0.05) == "0.05")
        #expect(NetworkDeadline.seconds(120.25) == "120.25")
    }
}
