import AWS
import Blocking
import BerthTestSupport
import Foundation
import Logging
import Plan
import Testing
@testable import Controller

/// Ownership alone, on moto's DynamoDB and a clock the test moves: which environments a replica
/// takes, and the fence that stops one whose lease was taken from it.
@Suite struct OwnershipTests {
    let clock = TestClock(Date())
    let executor = DedicatedExecutor(name: "ownership-test")

    func ownership(_ identity: String, table: String, endpoint: String) -> Ownership {
        let client = AWSClient(
            region: "us-east-1", credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKIATESTTESTTESTTEST", secretAccessKey: "t")),
            environment: ["AWS_ENDPOINT_URL": endpoint], retry: RetryPolicy(maxAttempts: 1))
        let leases = LeaseStore(client: client, table: table, identity: identity, duration: 20)
        return Ownership(leases: leases, logger: Logger(label: "test"), now: { [clock] in clock.now }, executor: executor)
    }

    @Test func replicasShareTheEnvironmentsAndALostLeaseFencesItsWrites() async throws {
        let moto = try await MotoServer.shared.url()
        let table = "berth-ownership-\(UUID().uuidString.prefix(6))"
        let first = ownership("r1", table: table, endpoint: moto), second = ownership("r2", table: table, endpoint: moto)
        try await first.leases!.createTable()
        let names = (1...8).map { "env-\($0)" }
        // Both replicas are live before either takes a lease (a lease taken is kept until it
        // expires, even by a replica no longer preferred for it).
        for replica in [first, second] { try await replica.leases!.heartbeat(now: clock.now) }
        let mine = await first.owned(names), theirs = await second.owned(names)
        #expect(mine.isDisjoint(with: theirs))
        #expect(mine.union(theirs) == Set(names))
        #expect(!mine.isEmpty && !theirs.isEmpty)

        // The first replica's fence holds while its lease does, and not for another's environment.
        let name = try #require(mine.sorted().first)
        let fence = try #require(await first.fence(name))
        try await fence()
        #expect(await first.fence(try #require(theirs.first)) == nil)

        // The first stops renewing; past the lease, the second takes everything, and the
        // first's writes are fenced off even though it never heard.
        clock.advance(21)
        #expect(await second.owned(names) == Set(names))
        let error = await #expect(throws: ReconcileError.self) { try await fence() }
        #expect(error?.code == .leaseLost && error?.message.contains(name) == true)
    }

    @Test func withoutLeasesEverythingIsOwnedAndNothingFenced() async {
        let alone = Ownership(leases: nil, logger: Logger(label: "test"), now: { Date() }, executor: executor)
        #expect(await alone.owned(["staging", "prod"]) == ["staging", "prod"])
        #expect(await alone.fence("prod") == nil)
    }

    @Test func aLeaseTableThatCannotBeReachedOwnsNothing() async {
        // A port nothing listens on: the pass reconciles nothing rather than guessing.
        let unreachable = ownership("r1", table: "berth-nowhere", endpoint: "http://127.0.0.1:9")
        #expect(await unreachable.owned(["staging", "prod"]).isEmpty)
        #expect(await unreachable.fence("staging") == nil)
    }
}
