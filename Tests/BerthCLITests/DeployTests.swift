import BerthTestSupport
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
        let lint = try ProcessRunner.runBlocking("cfn-lint", [Self.deploy + "/cloudformation.yaml"], mergingErrors: true)
        #expect(lint.status == 0, "\(lint.stdout)")
    }

    @Test func theControllersTaskDefinitionValidatesWithBerth() throws {
        let scratch = try ScratchRepo()
        let definition = try String(contentsOfFile: Self.deploy + "/task-definition.json", encoding: .utf8)
        try scratch.commit(
            [
                .write("ops/berth.yaml", "version: 1\n"),
                .write(
                    "ops/environments/tools/environment.yaml",
                    "target: {aws: {region: us-east-1, cluster: tools, accountId: \"123456789012\"}}\npolicy: {protected: true}\n"),
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
        // Deleting services is allowed only where IAM sees berth's tag: a review environment's,
        // or (policy.prune) the environment berth created the service for.
        let deletes = statements.filter {
            ($0["Action"] as? String) == "ecs:DeleteService" || ($0["Action"] as? [String])?.contains("ecs:DeleteService") == true
        }
        #expect(deletes.count == 2)
        for delete in deletes {
            let condition = try #require(delete["Condition"] as? [String: [String: Any]])
            let tags = condition["Null"] ?? [:]
            #expect(
                tags["aws:ResourceTag/berth:review"] as? String == "false" || tags["aws:ResourceTag/berth:env"] as? String == "false", "\(delete)")
        }
    }

    /// The AWS operations berth's code calls, by IAM action: read from the clients themselves, so
    /// a new call without its permission (or a permission no call uses) fails here.
    static func actionsInCode() throws -> Set<String> {
        let sources = URL(fileURLWithPath: deploy).deletingLastPathComponent().appendingPathComponent("Sources").path
        func text(_ path: String) throws -> String { try String(contentsOfFile: sources + "/" + path, encoding: .utf8) }
        func matches(_ pattern: String, in text: String) -> [String] {
            let regex = try! NSRegularExpression(pattern: pattern)
            return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range(at: 1), in: text)!]) }
        }
        var actions = Set<String>()
        actions.formUnion(matches(#"call\(\s*"(\w+)""#, in: try text("ECS/AWSECSClient.swift")).map { "ecs:" + $0 })
        actions.formUnion(matches(#"call\(\s*"(\w+)""#, in: try text("Controller/LeaseStore.swift")).map { "dynamodb:" + $0 })
        actions.formUnion(matches(#"call\(\s*"(\w+)""#, in: try text("ECS/CodeDeploy/CodeDeployClient.swift")).map { "codedeploy:" + $0 })
        let all = try FileManager.default.subpathsOfDirectory(atPath: sources).filter { $0.hasSuffix(".swift") && !$0.hasPrefix("berth-bench") }
        for file in all {
            let body = try text(file)
            for (service, prefix) in [("ecr", "ecr"), ("sts", "sts"), ("ecs", "ecs"), ("dynamoDB", "dynamodb")] {
                actions.formUnion(matches(#"\.(?:json|query)\(\s*\.\#(service),\s*"(\w+)""#, in: body).map { prefix + ":" + $0 })
            }
            if body.contains("AssumeRoleCredentialProvider(") { actions.insert("sts:AssumeRole") }
        }
        return actions
    }

    /// Calls that need no grant in production, and why.
    static let notGranted: [String: String] = [
        "ecs:CreateCluster": "only the local target (and the benchmark against moto) creates clusters",
        "ecs:DescribeClusters": "only the local target looks for its cluster",
        "dynamodb:CreateTable": "the stack creates the lease table; tests create their own",
        "sts:GetCallerIdentity": "needs no permission",
        "codedeploy:CreateApplication": "only the local target's simulated account (and tests against moto) creates applications",
        "codedeploy:CreateDeploymentGroup": "only the local target's simulated account (and tests against moto) creates deployment groups",
    ]

    @Test func theIAMPolicyGrantsExactlyTheCallsBerthMakes() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.deploy + "/iam-policy.json"))
        let policy = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let statements = try #require(policy["Statement"] as? [[String: Any]])
        let granted = Set(
            statements.flatMap { statement -> [String] in
                if let one = statement["Action"] as? String { return [one] }
                return statement["Action"] as? [String] ?? []
            })
        let needed = try Self.actionsInCode().subtracting(Self.notGranted.keys)
        #expect(needed.contains("ecs:UpdateService") && needed.contains("dynamodb:Scan"), "\(needed.sorted())")
        #expect(needed.subtracting(granted).isEmpty, "called but not granted: \(needed.subtracting(granted).sorted())")
        // No calls of berth's own: ECS needs iam:PassRole to hand the manifests' roles on, and
        // CodeDeploy checks the other two when CreateDeployment registers an AppSpec revision.
        let checkedByAWS: Set<String> = ["iam:PassRole", "codedeploy:GetDeploymentConfig", "codedeploy:RegisterApplicationRevision"]
        #expect(
            granted.subtracting(needed).subtracting(checkedByAWS).isEmpty,
            "granted but never called: \(granted.subtracting(needed).sorted())")
    }
}
