import Blocking
import Foundation
import Testing

#if os(Linux)
import Glibc

/// Work that must never take a core from the rest of the controller (the mirror's repacks)
/// runs on a thread at the least priority; every other executor's thread keeps the process's.
@Suite struct BackgroundThreadTests {
    @Test func aBackgroundExecutorsThreadRunsAtTheLeastPriority() async throws {
        // On Linux a nice value is the calling thread's own.
        let niceness: @Sendable () -> Int32 = { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
        let process = niceness()
        #expect(try await DedicatedExecutor(name: "test-background", background: true).run(niceness) == 19)
        #expect(try await DedicatedExecutor(name: "test-foreground").run(niceness) == process)
        #expect(niceness() == process, "the caller's own thread keeps its priority")
    }
}
#endif
