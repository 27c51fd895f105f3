import Foundation
import Git
import Testing
@testable import Delivery

/// A commit whose manifests do not validate for an environment changes nothing that runs
/// there (the controller applies none of it), so the log says so, with the errors, instead of
/// showing every service removed; the commit that makes it valid again is compared with the
/// last one that validated, not with nothing.
@Suite struct LogValidityTests {
    @Test func anInvalidCommitIsShownAsSuchAndTheFixAgainstTheLastValidOne() throws {
        let folder = ScratchFolderRef()
        let repo = try Repository.create(at: folder.path, bare: true)
        let who = Signature(name: "Dev", email: "dev@example.com")
        func fargate(memory: String) -> FileChange {
            .write(
                "manifests/services/api/task-definition.json",
                """
                {"family": "api", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "512", "memory": "\(memory)",
                 "containerDefinitions": [{"name": "app", "image": "registry.example.com/shop/api:1", "essential": true}]}
                """)
        }
        let service = FileChange.write(
            "manifests/services/api/service.yaml",
            "taskDefinitionFile: task-definition.json\nservice: {desiredCount: 1, launchType: FARGATE}\n")
        var tip = try repo.commit(
            changes: twoEnvironments().filter { !$0.key.hasPrefix("services/") }.sorted { $0.key < $1.key }
                .map { .write("manifests/" + $0.key, $0.value) } + [service, fargate(memory: "1024")],
            onto: "main", expectedTip: nil, message: "start", author: who)
        // 1,536 MiB is not a size Fargate offers with 512 CPU units: both environments block.
        for (message, memory) in [("too big by half", "1536"), ("still wrong", "1600"), ("fixed", "2048")] {
            tip = try repo.commit(changes: [fargate(memory: memory)], onto: "main", expectedTip: tip, message: message, author: who)
        }
        let log = DeploymentLog(repositoryPath: folder.path, manifestPath: "manifests")
        let entries = try log.entries(environment: "prod")
        #expect(entries.map(\.subject) == ["fixed", "still wrong", "too big by half", "start"])
        let fixed = entries[0], still = entries[1], broken = entries[2], start = entries[3]

        #expect(broken.services.isEmpty)
        #expect(broken.validity?.hasPrefix("does not validate: ") == true)
        #expect(broken.validity?.contains("manifests/services/api/task-definition.json") == true)
        #expect(broken.validity?.contains("1536") == true)
        #expect(broken.validity?.hasSuffix("; nothing of it is applied") == true)
        // Other errors on the next commit: said again, and still no service changed.
        #expect(still.services.isEmpty)
        #expect(still.validity?.hasPrefix("still does not validate: ") == true)
        #expect(still.validity?.contains("1600") == true)
        // The fix: compared with "start", the last commit that validated (memory 1024 to 2048),
        // not shown as the service added.
        #expect(fixed.validity == "validates again: compared with \(ObjectID.short(start.commit)), the last commit before it that validated")
        #expect(fixed.services.map(\.change) == ["changed"])
        #expect(fixed.services.map(\.service) == ["api"])
        #expect(fixed.services.first?.fields == ["memory"])
        #expect(start.validity == nil)
        #expect(start.services.map(\.change) == ["added"])

        // The same with every environment, and one commit that breaks only prod.
        tip = try repo.commit(
            changes: [.write("manifests/environments/prod/api.yaml", "service: {desiredCount: -1}\n")], onto: "main", expectedTip: tip,
            message: "prod only", author: who)
        let all = try log.entries()
        let prodOnly = all.filter { $0.subject == "prod only" }
        #expect(prodOnly.map(\.environment) == ["prod"])
        #expect(prodOnly.first?.validity?.contains("manifests/environments/prod/api.yaml") == true)
        #expect(prodOnly.first?.services.isEmpty == true)
        // Each error once, as `berth validate` prints them (the loader finds this one twice).
        #expect(prodOnly.first?.validity?.components(separatedBy: "desiredCount -1 is out of range").count == 2)
        #expect(all.filter { $0.subject == "too big by half" }.map(\.environment) == ["prod", "staging"])
        // With every environment loaded, the fix is compared with "start" in each.
        let fixes = all.filter { $0.subject == "fixed" }
        #expect(fixes.map(\.environment) == ["prod", "staging"])
        #expect(fixes.allSatisfy { $0.validity?.hasPrefix("validates again: compared with \(ObjectID.short(start.commit))") == true })
        #expect(fixes.allSatisfy { $0.services.map(\.service) == ["api"] && $0.services.first?.fields == ["memory"] })
        #expect(all.filter { $0.subject == "prod only" && $0.environment == "staging" }.isEmpty)

        // Each environment says what blocks it: staging its overlay, prod a base only prod uses.
        tip = try repo.commit(
            changes: [
                .write("manifests/environments/prod/api.yaml", "service: {desiredCount: 2}\n"),
                .write("manifests/environments/staging/api.yaml", "service: {desiredCount: -2}\n"),
                .write("manifests/services/extra/service.yaml", "taskDefinition: {containerDefinitions: [{name: app, memory: -5}]}\n"),
                .write("manifests/environments/prod/extra.yaml", "{}\n"),
            ], onto: "main", expectedTip: tip, message: "apart", author: who)
        let apart = try log.entries().filter { $0.subject == "apart" }
        #expect(apart.map(\.environment) == ["prod", "staging"])
        #expect(apart.first?.validity?.contains("manifests/services/extra/service.yaml") == true)
        #expect(apart.first?.validity?.contains("environments/staging") == false)
        #expect(apart.last?.validity?.contains("manifests/environments/staging/api.yaml") == true)
        #expect(apart.last?.validity?.contains("services/extra") == false)
    }

    /// Manifests that begin with an error, and many commits that touch nothing they are
    /// rendered from while prod is blocked: the fix says it validates for the first time, and
    /// the look back counts changes, not commits.
    @Test func theFirstValidCommitAndALongBlockedStretch() throws {
        let folder = ScratchFolderRef()
        let repo = try Repository.create(at: folder.path, bare: true)
        let who = Signature(name: "Dev", email: "dev@example.com")
        var tip = try repo.commit(
            changes: [.write("README", "before the manifests\n")], onto: "main", expectedTip: nil, message: "readme", author: who)
        let files = twoEnvironments().filter { $0.key != "environments/prod/api.yaml" }.sorted { $0.key < $1.key }
            .map { FileChange.write("manifests/" + $0.key, $0.value) }
        let broken = FileChange.write("manifests/environments/prod/api.yaml", "service: {desiredCount: -1}\n")
        let fixed = FileChange.write("manifests/environments/prod/api.yaml", "service: {desiredCount: 3}\n")
        tip = try repo.commit(changes: files + [broken], onto: "main", expectedTip: tip, message: "begin broken", author: who)
        tip = try repo.commit(changes: [fixed], onto: "main", expectedTip: tip, message: "first fix", author: who)
        tip = try repo.commit(changes: [broken], onto: "main", expectedTip: tip, message: "break again", author: who)
        for index in 0..<(StateWindow.lookBack + 20) {
            tip = try repo.commit(changes: [.write("README", "\(index)\n")], onto: "main", expectedTip: tip, message: "readme \(index)", author: who)
        }
        tip = try repo.commit(
            changes: [.write("manifests/environments/prod/api.yaml", "service: {desiredCount: 4}\n")], onto: "main", expectedTip: tip,
            message: "second fix", author: who)
        let entries = try DeploymentLog(repositoryPath: folder.path, manifestPath: "manifests").entries(environment: "prod")
        #expect(entries.map(\.subject) == ["second fix", "break again", "first fix", "begin broken"])
        let firstFix = try #require(entries.first { $0.subject == "first fix" })
        #expect(firstFix.validity == "validates for the first time: its services are compared with none")
        #expect(firstFix.services.map(\.change) == ["added"])
        let secondFix = try #require(entries.first)
        #expect(secondFix.validity == "validates again: compared with \(ObjectID.short(firstFix.commit)), the last commit before it that validated")
        #expect(secondFix.services.first?.fields == ["service.desiredCount"])
    }
}
