import Foundation
import Testing

/// deploy/ holds how berth itself runs on ECS; these keep it honest.
@Suite struct DeployTests {
    static let deploy: String = {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("deploy").path
    }()

    @Test func cloudFormationTemplatePassesCfnLint() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cfn-lint", Self.deploy + "/cloudformation.yaml"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
    }

    @Test func theControllersTaskDefinitionValidatesWithBerth() throws {
        let scratch = try ScratchRepo()
        let definition = try String(contentsOfFile: Self.deploy + "/task-definition.json", encoding: .utf8)
        try scratch.commit([
            .write("ops/berth.yaml", "version: 1\n"),
            .write("ops/environments/tools/environment.yaml", "target: {aws: {region: us-east-1, cluster: tools, accountId: \"123456789012\"}}\npolicy: {protected: true}\n"),
            .write("ops/environments/tools/berth.yaml", "service: {desiredCount: 1}\n"),
            .write("ops/services/berth/service.yaml", "taskDefinitionFile: task-definition.json\n"),
            .write("ops/services/berth/task-definition.json", definition),
        ], "berth's own deployment")
        let run = try berth(["validate", "--path", "ops"], in: scratch.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty, "\(run.stderr)")
    }

    @Test func theIAMPolicyLimitsPassRole() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.deploy + "/iam-policy.json"))
        let policy = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let statements = try #require(policy["Statement"] as? [[String: Any]])
        let passRole = try #require(statements.first { ($0["Action"] as? String) == "iam:PassRole" })
        #expect((passRole["Resource"] as? [String])?.allSatisfy { $0.contains(":role/") && $0 != "*" } == true)
        #expect(passRole["Condition"] != nil)
        #expect(!statements.contains { ($0["Action"] as? String) == "*" })
        // Deleting services is allowed only where IAM sees a review environment's tag.
        let deletes = statements.filter { ($0["Action"] as? String) == "ecs:DeleteService" || ($0["Action"] as? [String])?.contains("ecs:DeleteService") == true }
        #expect(deletes.count == 1)
        let condition = try #require(deletes.first?["Condition"] as? [String: [String: Any]])
        #expect(condition["Null"]?["aws:ResourceTag/berth:review"] as? String == "false")
    }
}
