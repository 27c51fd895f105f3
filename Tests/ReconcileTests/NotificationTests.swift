import BerthTestSupport
import ECS
import ECSModel
import Foundation
import Notify
@testable import Plan
@testable import Apply
@testable import Review
import Testing

/// Events POSTed to a loopback receiver: signed, one per outcome, and a receiver that fails
/// or hangs never fails or holds up an apply beyond the notifier's bound.
@Suite struct NotificationTests {
    static let key = "canary-notify-key-7f3a"

    @Test func appliesSendSignedEventsAndBadReceiversDoNotHoldThemUp() async throws {
        let good = try await LoopbackServer { _, _ in .respond(status: 204, headers: [], body: "") }
        let failing = try await LoopbackServer { _, _ in .respond(status: 500, headers: [], body: "down") }
        // Far longer than any bound below: an apply that waited for it would show.
        let hanging = try await LoopbackServer { _, _ in .delayed(600, .respond(status: 200, headers: [], body: "")) }
        defer {
            Task {
                await good.shutdown(); await failing.shutdown(); await hanging.shutdown()
            }
        }
        var files = manifests(services: 1)
        files["environments/staging/environment.yaml"]! += """
            notifications:
              - {url: "\(good.url)/hook?token=secret-in-url", secretEnv: BERTH_TEST_NOTIFY_KEY}
              - {url: "\(failing.url)/hook", events: [converged]}
              - {url: "\(hanging.url)/hook", events: [converged, rolledBack]}

            """
        let repo = try ManifestRepo(files, environment: ["BERTH_TEST_NOTIFY_KEY": Self.key])

        let started = Date()
        let outcomes = try await repo.apply("staging")
        let elapsed = Date().timeIntervalSince(started)
        #expect(outcomes.allSatisfy { $0.succeeded })
        #expect(elapsed < 120, "a hanging receiver held the apply for \(elapsed) s")
        let delivered = try #require(good.requests.first)
        #expect(delivered.header("X-Berth-Signature-256") == WebhookSignature.header(Array(delivered.body.utf8), secret: Self.key))
        let event = try JSONDecoder.iso8601.decode(NotificationEvent.self, from: Data(delivered.body.utf8))
        #expect(event.event == "converged" && event.environment == "staging" && event.services.map(\.service) == ["svc0"])
        #expect(event.commit == (try repo.repo.resolve("HEAD").hex) && event.author == "Dev <dev@example.com>")
        #expect(failing.requests.count == 3, "a 500 is retried, within the bound")
        #expect(!delivered.body.contains(Self.key))

        // Someone changes the service outside git: the next apply reports drift, then heals it.
        let ecs = repo.localECS()
        _ = try await ecs.updateService(ECSAPI.UpdateServiceRequest(cluster: "staging", service: "svc0", desiredCount: 5))
        _ = try await repo.apply("staging")
        let events = try good.requests.map { try JSONDecoder.iso8601.decode(NotificationEvent.self, from: Data($0.body.utf8)).event }
        #expect(events == ["converged", "drift", "converged"], "\(events)")

        // A release whose tasks never start: the circuit breaker rolls it back.
        try await ecs.setImage("registry.example.com/app:2.0", failing: true)
        var broken = files
        broken["services/svc0/service.yaml"] = files["services/svc0/service.yaml"]!.replacingOccurrences(of: "app:1.0", with: "app:2.0")
        try repo.commit(broken, "release 2.0")
        _ = try await repo.apply("staging")
        let last = try JSONDecoder.iso8601.decode(NotificationEvent.self, from: Data(good.requests.last!.body.utf8))
        #expect(last.event == "rolled-back" && last.services.first?.outcome == "rolled-back", "\(last)")

        // Without rollback the breaker leaves the deployment failed.
        var stuck = broken
        stuck["services/svc0/service.yaml"] = broken["services/svc0/service.yaml"]!.replacingOccurrences(
            of: "rollback: true", with: "rollback: false"
        )
        .replacingOccurrences(of: "app:2.0", with: "app:2.1")
        try await ecs.setImage("registry.example.com/app:2.1", failing: true)
        try repo.commit(stuck, "release 2.1")
        _ = try await repo.apply("staging")

        // An environment that requires signed commits refuses an unsigned one, and says so.
        var unsigned = stuck
        unsigned["environments/staging/environment.yaml"]! += "policy: {requireSignedCommits: true}\n"
        try repo.commit(unsigned, "require signatures")
        await #expect(throws: (any Error).self) { _ = try await repo.apply("staging") }

        let received = good.requests
        let all = try received.map { try JSONDecoder.iso8601.decode(NotificationEvent.self, from: Data($0.body.utf8)).event }
        #expect(all == ["converged", "drift", "converged", "rolled-back", "failed", "refused"], "\(all)")
        for request in received {
            #expect(request.header("X-Berth-Signature-256") == WebhookSignature.header(Array(request.body.utf8), secret: Self.key))
        }
        #expect(received.allSatisfy { $0.uri == "/hook?token=secret-in-url" })
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
