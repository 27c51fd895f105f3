import BerthTestSupport
@testable import Controller
import Foundation
import Git
import Testing

/// A new head observes only the services it changed; a resync observes everything.
@Suite struct ChangedServicesTests {
    static func manifests(services: Int, changed: Int? = nil, version: String = "1") -> [FileChange] {
        var files: [FileChange] = [
            .write("berth.yaml", "version: 1\n"),
            .write("environments/staging/environment.yaml", "target: {local: {}}\n"),
        ]
        for index in 0..<services {
            let tag = index == changed ? version : "1"
            files.append(
                .write(
                    "services/s\(index)/service.yaml",
                    "taskDefinition: {containerDefinitions: [{name: app, image: \"r/s\(index):\(tag)\", memory: 64}]}\n"))
            files.append(.write("environments/staging/s\(index).yaml", "service: {desiredCount: 1}\n"))
        }
        return files
    }

    @Test func aNewHeadDescribesOnlyTheServicesItChanged() async throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        var tip = try origin.commit(
            changes: Self.manifests(services: 25), onto: "main", expectedTip: nil, message: "start",
            author: LevelBasedTests.author)
        let controller = LevelBasedTests.controller(folder, pace: "0")
        #expect(await controller.pass(full: true, wait: true))
        let calls = controller.metrics.calls

        // One service changes: it alone is described (once to plan, then while it rolls out).
        calls.reset()
        tip = try origin.commit(
            changes: Self.manifests(services: 25, changed: 7, version: "2"), onto: "main", expectedTip: tip,
            message: "s7 v2", author: LevelBasedTests.author)
        #expect(await controller.pass(wait: true))
        #expect(calls.count("UpdateService") == 1)
        #expect(calls.count("DescribeServices") >= 1 && calls.count("DescribeServices") <= 3)
        let status = try #require(await controller.status.current.environments.first)
        #expect(status.appliedCommit == tip.hex && status.converged)
        #expect(status.services.count == 25, "the services not looked at keep their last state on the page")
        #expect(status.services.first { $0.service == "s7" }?.images["app"] == "r/s7:2")

        // A commit that changes no service describes nothing.
        calls.reset()
        tip = try origin.commit(
            changes: [.write("README.md", "docs\n")], onto: "main", expectedTip: tip, message: "docs",
            author: LevelBasedTests.author)
        #expect(await controller.pass(wait: true))
        #expect(calls.count("DescribeServices") == 0)

        // A request observes all 25, ten a call, and so does a resync.
        calls.reset()
        _ = await controller.requestReconcile("staging")
        #expect(await controller.pass(wait: true))
        #expect(calls.count("DescribeServices") == 3)

        calls.reset()
        #expect(await controller.pass(full: true, wait: true))
        #expect(calls.count("DescribeServices") == 3)
        #expect(calls.count("UpdateService") == 0)
    }
}
