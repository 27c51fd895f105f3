import ECS
import ECSModel
import Foundation
import Git
import Manifests
@testable import Review
import Testing
@testable import Plan
@testable import Apply

/// What the controller decides from branches and live review environments, without ECS.
@Suite struct ReviewDecisionTests {
    let template = ReviewTemplate(branches: ["review/*"], from: "staging", maxEnvironments: 3)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func branch(_ name: String, age: TimeInterval = 60, unwanted: String? = nil) -> ReviewBranch {
        ReviewBranch(
            branch: name, name: template.name(for: name), tip: ObjectID(hex: String(repeating: "a", count: 40))!,
            lastCommit: now.addingTimeInterval(-age), unwantedReason: unwanted, expires: nil)
    }

    func live(_ name: String, branch: String, instance: String, status: String = "ACTIVE", teardown: String? = nil) -> ReviewInstance {
        ReviewInstance(
            name: name, instance: instance, branch: branch, created: now,
            services: [ECSAPI.Service(serviceName: "\(name)-api", status: status)], teardown: teardown)
    }

    @Test func twoBranchesWithOneNameShareNothing() {
        let decision = ReviewDecision(
            template: template, branches: [branch("review/Feature-X"), branch("review/feature_x")], instances: [],
            tracked: "main", now: now, newInstance: { _ in "new" })
        #expect(decision.applies.map(\.branch.branch) == ["review/Feature-X"])
        #expect(decision.waiting.first?.reason.contains("already branch review/Feature-X's; rename the branch") == true)
    }

    @Test func aLiveEnvironmentKeepsItsLifeAndAMarkedOneIsFinished() {
        let decision = ReviewDecision(
            template: template, branches: [branch("review/a"), branch("review/b")],
            instances: [
                live("review-a", branch: "review/a", instance: "one"),
                live("review-b", branch: "review/b", instance: "two", teardown: "branch review/b was deleted"),
            ],
            tracked: "main", now: now, newInstance: { _ in "new" })
        #expect(decision.applies.map { "\($0.identity.name)/\($0.identity.instance)/\($0.isNew)" } == ["review-a/one/false"])
        // A teardown that began is finished even though the branch is back; the branch waits for it.
        #expect(decision.teardowns.map(\.instance.instance) == ["two"])
        #expect(decision.waiting.map(\.branch.branch) == ["review/b"])
    }

    @Test func unwantedDrainingAndDuplicateLives() {
        let decision = ReviewDecision(
            template: template, branches: [branch("review/old", unwanted: "idle for 4d")],
            instances: [
                live("review-old", branch: "review/old", instance: "one"),
                live("review-gone", branch: "review/gone", instance: "two"),
                live("review-gone", branch: "review/gone", instance: "three", status: "DRAINING"),
            ],
            tracked: "main", now: now)
        let reasons = Dictionary(uniqueKeysWithValues: decision.teardowns.map { ($0.instance.instance, $0.reason) })
        #expect(reasons == ["one": "branch review/old idle for 4d", "two": "branch review/gone was deleted"])
        #expect(decision.draining.map(\.instance) == ["three"])
        #expect(decision.applies.isEmpty)
    }

    @Test func theLimitCountsWhatIsKeptAndWhatIsNewOldestFirst() {
        let decision = ReviewDecision(
            template: template,
            branches: [
                branch("review/a", age: 500), branch("review/b", age: 10), branch("review/c", age: 100),
                branch("review/d", age: 1000),
            ],
            instances: [live("review-a", branch: "review/a", instance: "one")], tracked: "main", now: now,
            newInstance: { "life-\($0)" })
        #expect(decision.applies.map(\.identity.name) == ["review-a", "review-c", "review-d"])
        #expect(decision.waiting.map(\.branch.branch) == ["review/b"])
        #expect(
            decision.waiting.first?.reason.hasPrefix("3 of 3 review environments exist (review-a, review-c, review-d); the longest idle is review-d")
                == true)
        #expect(decision.applies.first { $0.identity.name == "review-c" }?.identity.instance == "life-review-c")
    }
}
