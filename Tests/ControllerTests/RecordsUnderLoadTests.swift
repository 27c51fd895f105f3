import BerthTestSupport
@testable import Controller
import Foundation
import Git
import Logging
import Manifests
import Records
import Testing

/// The controller fetching every 100 ms while 200 commits land, and a person applying from
/// another clone at the same time: every record of both ends up on the origin, once.
@Suite struct RecordsUnderLoadTests {
    static let author = Signature(name: "Dev", email: "dev@example.com")

    static func manifests(_ version: Int) -> [FileChange] {
        [
            .write("berth.yaml", "version: 1\n"),
            .write("environments/staging/environment.yaml", "target: {local: {}}\nrelease: {version: \"\(version)\"}\n"),
            .write("environments/ops/environment.yaml", "target: {local: {cluster: ops}}\nrelease: {version: \"1\"}\n"),
            .write(
                "services/api/service.yaml",
                "taskDefinition: {containerDefinitions: [{name: app, image: \"r/api:${release.version}\", memory: 64}]}\n"),
            .write("environments/staging/api.yaml", "service: {desiredCount: 1}\n"),
            .write("environments/ops/api.yaml", "service: {desiredCount: 1}\n"),
        ]
    }

    @Test func concurrentControllerAndCLIApplyLoseNoRecord() async throws {
        let folder = ScratchFolder()
        let originPath = folder.path + "/origin.git"
        let origin = try Repository.create(at: originPath, bare: true)
        let first = try origin.commit(changes: Self.manifests(0), onto: "main", expectedTip: nil, message: "v0", author: Self.author)
        let clone = folder.path + "/laptop"
        _ = try Repository.clone(from: originPath, to: clone)
        let environment = ["BERTH_LOCAL_PACE": "0.01", "HOME": "/nonexistent"]
        let controller = Controller(
            options: ControllerOptions(
                repository: originPath, stateDirectory: folder.path + "/state",
                pollInterval: 0.02),
            environment: environment, logger: .init(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let commits = 200
        let converged = try await withThrowingTaskGroup(of: Set<String>.self) { group in
            // A commit every 20 ms or so.
            group.addTask {
                let origin = try Repository.open(at: originPath)
                var tip = first
                for version in 1...commits {
                    tip = try origin.commit(
                        changes: Self.manifests(version), onto: "main", expectedTip: tip, message: "v\(version)",
                        author: Self.author)
                    try await Task.sleep(nanoseconds: 20_000_000)
                }
                return []
            }
            // The controller: a pass every 100 ms, noting each head it reports converged.
            group.addTask {
                var seen = Set<String>()
                let deadline = Date().addingTimeInterval(120)
                while Date() < deadline {
                    let head = try Repository.open(at: originPath).resolve("main")
                    await controller.pass(full: false, wait: false)
                    if let applied = await controller.status.environment("staging")?.appliedCommit { seen.insert(applied) }
                    if head == (try? Repository.open(at: originPath).resolve("refs/heads/main")), seen.contains(head.hex),
                        try Repository.open(at: originPath).commit(head).message.hasPrefix("v\(commits)")
                    {
                        break
                    }
                    try await Task.sleep(nanoseconds: 100_000_000)
                }
                return seen
            }
            // A person running `berth apply` for ops in a clone, ten times (a fresh local target
            // each time, so each apply deploys, records and publishes).
            group.addTask {
                for _ in 0..<10 {
                    try? FileManager.default.removeItem(atPath: clone + "/.berth")
                    let apply = try await berth(["apply", "--env", "ops"], in: clone, environment: environment)
                    #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
                }
                return []
            }
            var all = Set<String>()
            for try await seen in group { all.formUnion(seen) }
            return all
        }
        #expect(await controller.pass(wait: true))
        let last = try origin.resolve("main")

        // Every record the controller and the person hold is on the origin, exactly once.
        func records(_ path: String) throws -> [(commit: ObjectID, record: DeploymentRecord)] {
            try Repository.discover(from: path).notes().flatMap { entry in
                (DeploymentNote.parse(entry.text)?.records ?? []).map { (entry.object, $0) }
            }
        }
        let onOrigin = try records(originPath)
        let keys = onOrigin.map(\.record.key)
        #expect(Set(keys).count == keys.count, "\(keys.count - Set(keys).count) duplicated")
        for (name, path) in [("controller", controller.mirror.path), ("person", clone)] {
            let held = Set(try records(path).map(\.record.key))
            #expect(held.subtracting(keys).isEmpty, "\(name): \(held.subtracting(keys).count) records not on the origin")
        }
        #expect(onOrigin.filter { $0.record.environment == "ops" && $0.record.deployer?.kind == "person" }.count >= 10)
        // Every head the controller reported converged has its converged record.
        for head in converged {
            #expect(
                onOrigin.contains { $0.commit.hex == head && $0.record.environment == "staging" && $0.record.outcome == .converged },
                "no converged record for \(head.prefix(12))")
        }
        #expect(onOrigin.contains { $0.commit == last && $0.record.environment == "staging" && $0.record.outcome == .converged })
        #expect(onOrigin.allSatisfy { $0.record.deployer != nil && $0.record.trigger != nil && $0.record.id != nil })
        // The controller's records name it (its instance id and version) and what woke it.
        let byController = onOrigin.map(\.record).filter { $0.deployer?.kind == "controller" }
        #expect(!byController.isEmpty)
        #expect(byController.allSatisfy { $0.deployer?.name == controller.options.identity && $0.deployer?.version == BerthVersion.current })
        #expect(byController.allSatisfy { [.poll, .webhook, .resync].contains($0.trigger) }, "\(Set(byController.compactMap(\.trigger)))")
        let fsck = try GitCLI.run(["fsck", "--strict", "--no-dangling"], in: originPath)
        #expect(fsck.status == 0, "\(fsck.output)")
    }
}
