import AWS
import BerthTestSupport
import ECS
import ECSModel
import Foundation
@testable import Plan
@testable import Apply
@testable import Review
import Records
import Synchronization
import Testing

/// A proxy in front of moto that fails one request in five (throttling, 500, 503, dropped
/// connections before and after moto processed the request, slowness): apply still converges,
/// retries stay within their bound, and nothing is registered or recorded twice.
@Suite struct FaultInjectionTests {
    final class Dice: Sendable {
        private let state = Mutex<UInt64>(20261122)
        func roll() -> UInt64 {
            state.withLock { seed in
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return (seed >> 33) % 100
            }
        }
    }

    @Test func applyConvergesThroughInjectedFaults() async throws {
        let moto = try await MotoServer.shared.url()
        let dice = Dice()
        let faults = Mutex(0)
        let proxy = try await LoopbackServer { _, _ in
            let roll = dice.roll()
            guard roll < 20 else { return .forward(moto, dropAnswer: false) }
            faults.withLock { $0 += 1 }
            switch roll % 6 {
            case 0: return .respond(status: 400, headers: [], body: #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#)
            case 1: return .respond(status: 500, headers: [], body: #"{"__type":"ServerException","message":"injected"}"#)
            case 2: return .respond(status: 503, headers: [], body: "")
            case 3: return .reset
            case 4: return .forward(moto, dropAnswer: true)
            default: return .delayed(0.3, .forward(moto, dropAnswer: false))
            }
        }
        let cluster = "faults-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await AWSECSClient(client: MotoServer.shared.client()).createCluster(ECSAPI.CreateClusterRequest(clusterName: cluster))
        let repo = try ManifestRepo(
            manifests(services: 8, target: "aws: {region: us-east-1, cluster: \(cluster)}"),
            environment: ["AWS_ENDPOINT_URL": proxy.url, "AWS_ACCESS_KEY_ID": "AKIATESTTESTTESTTEST", "AWS_SECRET_ACCESS_KEY": "test"])
        var outcomes: [ServiceOutcome] = []
        // An apply may stop on a fault past every retry; running it again must finish the job.
        for _ in 0..<5 {
            if let result = try? await repo.reconciler(fresh: true).apply("staging", options: ApplyOptions(wait: false)).1,
                result.allSatisfy(\.succeeded)
            {
                outcomes = result
                break
            }
        }
        #expect(outcomes.count == 8)
        #expect(faults.withLock { $0 } > 5)
        // The faults were met and retried: errors were counted, and calls stayed within 5 attempts each.
        let errors = repo.counter.snapshot.filter { $0.key.outcome != "ok" }.values.reduce(0, +)
        let successes = repo.counter.snapshot.filter { $0.key.outcome == "ok" }.values.reduce(0, +)
        #expect(errors > 0)
        #expect(errors <= 4 * successes + 5 * 5)
        // No duplicates, seen past the proxy.
        let direct = AWSECSClient(client: try await MotoServer.shared.client())
        for index in 0..<8 {
            let revisions = try await direct.allTaskDefinitionArns(familyPrefix: "staging-svc\(index)")
            #expect(revisions.count == 1, "staging-svc\(index): \(revisions)")
        }
        // Every service recorded exactly once, and what runs is what git says.
        let notes = try await NotesRecorder(repositoryPath: repo.folder.path).allRecords()
        #expect(notes.count == 8, "\(notes.map(\.record.service))")
        #expect(Set(notes.map(\.record.service)).count == 8)
        await proxy.shutdown()

    }
}
