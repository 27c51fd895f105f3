import AWS
import BerthTestSupport
import ECS
import Foundation
import Git
import Testing
@testable import Controller

/// Three controller replicas share four environments through leases in moto's DynamoDB.
@Suite struct LeaseTests {
    @Test func eachEnvironmentHasOneReplicaAndAFailedReplicasWorkMoves() async throws {
        let folder = ScratchFolder()
        let shared = try SharedEnvironments.origin(in: folder.path)
        let environments = SharedEnvironments.names

        let moto = try await MotoServer.shared.url()
        let table = "berth-leases-\(UUID().uuidString.prefix(6))"
        let environment = [
            "AWS_ENDPOINT_URL": moto, "AWS_ACCESS_KEY_ID": "AKIATESTTESTTESTTEST", "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": "us-east-1", "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true", "BERTH_LOCAL_PACE": "0.05",
            "BERTH_LOCAL_STATE_FILE": shared,
        ]
        // Lease time on a clock the test moves: a lease expires when the test says, never in
        // the middle of a pass on a slow machine.
        let clock = TestClock(Date())
        let replicas = (1...3).map { index in
            var options = ControllerOptions(
                repository: folder.path + "/origin.git", stateDirectory: folder.path + "/replica\(index)", pollInterval: 0.05)
            options.leaseTable = table
            options.leaseDuration = 20
            options.identity = "replica-\(index)"
            return Controller(options: options, environment: environment, now: { clock.now })
        }
        try await replicas[0].leases!.createTable()
        for replica in replicas { try await replica.leases!.heartbeat(now: clock.now) }

        for replica in replicas { #expect(await replica.pass(full: true, wait: true)) }
        func owners() async -> [String: [String]] {
            var result: [String: [String]] = [:]
            for (index, replica) in replicas.enumerated() {
                for env in await replica.status.current.environments where env.converged {
                    result[env.environment, default: []].append("replica-\(index + 1)")
                }
            }
            return result
        }
        let first = await owners()
        #expect(Set(first.keys) == Set(environments))
        #expect(first.values.allSatisfy { $0.count == 1 })
        #expect(Set(first.values.flatMap { $0 }).count >= 2)  // the work is shared
        // Each environment's service was created once, by its one owner.
        let ecs = LocalECS(stateFile: shared)
        for env in environments {
            #expect(try await ecs.allTaskDefinitionArns(familyPrefix: "\(env)-api").count == 1)
        }

        // replica-3 stops (no more heartbeats or renewals); after its leases expire, the others take over.
        let orphaned = Set(first.filter { $0.value == ["replica-3"] }.keys)
        clock.advance(20.5)
        let started = Date()
        for replica in replicas.prefix(2) { _ = await replica.pass(full: true, wait: true) }
        var afterwards: [String: [String]] = [:]
        for (index, replica) in replicas.prefix(2).enumerated() {
            for env in await replica.status.current.environments where env.converged && env.lastReconciled! > started {
                afterwards[env.environment, default: []].append("replica-\(index + 1)")
            }
        }
        #expect(orphaned.isSubset(of: Set(afterwards.keys)))
        #expect(afterwards.values.allSatisfy { $0.count == 1 })
    }

    @Test func rendezvousSpreadsEnvironments() {
        let replicas = ["a", "b", "c"]
        let picks = (0..<60).compactMap { LeaseStore.preferred("env-\($0)", among: replicas) }
        #expect(Set(picks) == Set(replicas))
        #expect(LeaseStore.preferred("prod", among: replicas) == LeaseStore.preferred("prod", among: replicas.reversed()))
    }
}

@Suite struct FencingTests {
    @Test func aReplicaThatLostItsLeaseKnowsIt() async throws {
        let moto = try await MotoServer.shared.url()
        let client = AWSClient(
            region: "us-east-1", credentials: StaticCredentialProvider(Credentials(accessKeyId: "AKIATESTTESTTESTTEST", secretAccessKey: "t")),
            environment: ["AWS_ENDPOINT_URL": moto])
        let table = "berth-fencing-\(UUID().uuidString.prefix(6))"
        // Times are given, not waited for, so a slow machine cannot blur them.
        let first = LeaseStore(client: client, table: table, identity: "r1", duration: 30)
        let second = LeaseStore(client: client, table: table, identity: "r2", duration: 30)
        try await first.createTable()
        let t0 = Date()
        let lease = try #require(try await first.acquire("prod", now: t0))
        #expect(try await first.stillHolds(lease, now: t0.addingTimeInterval(1)))
        #expect(try await second.acquire("prod", now: t0.addingTimeInterval(10)) == nil)
        let taken = try #require(try await second.acquire("prod", now: t0.addingTimeInterval(31)))
        #expect(taken.version == lease.version + 1)
        #expect(try await !first.stillHolds(lease, now: t0.addingTimeInterval(32)))
        // Even retaking it later gives a new version: the old holder's writes stay fenced off.
        let again = try #require(try await first.acquire("prod", now: t0.addingTimeInterval(62)))
        #expect(again.version == taken.version + 1)
        #expect(try await !first.stillHolds(lease, now: t0.addingTimeInterval(63)))
    }
}
