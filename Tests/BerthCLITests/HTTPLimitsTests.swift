import BerthTestSupport
import Foundation
import Testing

/// The controller's HTTP server against clients that hold connections: half-sent headers, a
/// trickled or oversized webhook body. None of them may stop /healthz or exhaust descriptors.
@Suite struct HTTPLimitsTests {
    @Test func slowClientsAreBoundedAndHealthStillAnswers() async throws {
        let scratch = try ScratchRepo()
        let port = try FreePort.pick()
        let base = "http://127.0.0.1:\(port)"
        let process = try ControllerCLITests.controller(
            scratch.path, port: port, extra: ["--http-max-connections", "8", "--http-header-timeout", "1s"],
            environment: ["BERTH_WEBHOOK_SECRET": "s"])
        defer { if process.isRunning { process.terminate() } }
        var up = false
        for _ in 0..<100 where !up {
            up = (try? await ControllerCLITests.http("GET", base + "/healthz").0) == 200
            if !up { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        try #require(up)

        // Five times the limit in half-sent requests: the server holds at most the limit, closes
        // each at the header timeout, and a health check gets through behind them.
        let slow = try (0..<40).map { _ in try RawConnection(port: port) }
        for connection in slow { connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n") }
        let started = Date()
        let health = try await ControllerCLITests.http("GET", base + "/healthz", timeout: 30)
        #expect(health.0 == 200)
        #expect(Date().timeIntervalSince(started) < 20)
        for connection in slow { #expect(await connection.closed(within: 15) != nil, "a half-sent request was never closed") }
        let metrics = try await ControllerCLITests.http("GET", base + "/metrics").1
        let limited = metrics.split(separator: "\n").first { $0.hasPrefix("berth_http_connection_limit_reached_total ") }
        #expect(Double(limited?.split(separator: " ").last ?? "0") ?? 0 > 0, "\(metrics)")

        // A body declared past 1 MiB is refused at once; a trickled one at the body timeout.
        let huge = try RawConnection(port: port)
        huge.send("POST /hooks/git HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n{")
        #expect(await huge.closed(within: 10)?.hasPrefix("HTTP/1.1 413") == true)
        let trickle = try RawConnection(port: port)
        trickle.send("POST /hooks/git HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"ref\":")
        let answer = await trickle.closed(within: 10)
        #expect(answer?.hasPrefix("HTTP/1.1 408") == true || answer == "", "\(answer ?? "still open")")

        // A body trickled on any route, each byte before the idle timeout, still ends at the
        // request deadline.
        let dripping = try RawConnection(port: port)
        let opened = Date()
        dripping.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        var closed: Date?
        for _ in 0..<15 {
            if await dripping.closed(within: 0.4) != nil {
                closed = Date()
                break
            }
            dripping.send("x")
        }
        #expect(closed.map { $0.timeIntervalSince(opened) < 4 } == true, "a trickled body held the connection")
    }
}
