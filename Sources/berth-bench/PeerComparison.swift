import LocalAWS
import ECS
import ECSModel
import Foundation
import Git

/// Benchmark 4: a new image to `services` services on moto, by berth (`apply --no-wait`), by
/// fabfuel's ecs-deploy (one run per service, as its users do) and by the AWS CLI (register and
/// update per service). Nobody waits for tasks: moto never starts them.
struct PeerComparison {
    let services: Int
    /// Where `ecs` and `aws` are installed (`make bench` makes this virtual environment).
    let tools: String

    func run() async throws -> [Figure] {
        let inputs = "\(services) services, new image, moto"
        for tool in ["ecs", "aws"] where !FileManager.default.isExecutableFile(atPath: tools + "/" + tool) {
            return [
                Figure(name: "4 deploy comparison", inputs: inputs, value: "skipped: \(tools)/\(tool) missing (make bench installs it)", seconds: nil)
            ]
        }
        let folder = BenchFolder()
        defer { folder.remove() }
        let run = String(UUID().uuidString.prefix(6)).lowercased()
        let clusters = ["berth": "berth-\(run)", "ecsdeploy": "ecsdeploy-\(run)", "cli": "cli-\(run)"]
        var targets: [String: String] = [:]
        for (env, cluster) in clusters { targets[env] = try await BenchTarget.moto.manifest(cluster: cluster) }
        let repo = try Repository.create(at: folder.path)
        var tip = try repo.commit(
            changes: PlanBenchmarks.manifestFiles(services: services, environments: targets), onto: "main",
            expectedTip: nil, message: "start", author: benchAuthor)
        let environment = try await BenchTarget.moto.environment()
        for env in clusters.keys.sorted() {
            let setup = try runProgram([berthExecutable, "apply", "--env", env, "--no-wait"], environment: environment, in: folder.path)
            guard setup.status == 0 else { throw BenchError("setting up \(env) failed: \(setup.output)") }
        }

        // berth: the release is a commit; one apply deploys every service it changes.
        tip = try repo.commit(
            changes: [.write("environments/berth/environment.yaml", "target: \(targets["berth"]!)\nrelease: {version: \"2.0\"}\n")],
            onto: "main", expectedTip: tip, message: "release 2.0", author: benchAuthor)
        let berth = try runProgram([berthExecutable, "apply", "--env", "berth", "--no-wait"], environment: environment, in: folder.path)
        guard berth.status == 0 else { throw BenchError("berth apply failed: \(berth.output)") }

        // ecs-deploy: one run per service, changing the image tag.
        var ecsDeploy = 0.0
        for index in 0..<services {
            let result = try runProgram(
                [
                    tools + "/ecs", "deploy", clusters["ecsdeploy"]!, "svc\(index)", "-t", "2.0", "--timeout", "-1",
                    "--region", "us-east-1",
                ], environment: environment)
            guard result.status == 0 else { throw BenchError("ecs deploy svc\(index) failed: \(result.output)") }
            ecsDeploy += result.seconds
        }

        // The AWS CLI: register the new revision, then point the service at it.
        let ecs = AWSECSClient(client: try await MotoServer.shared.client())
        var cli = 0.0
        for index in 0..<services {
            let current = try await ecs.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "cli-svc\(index)"))
                .taskDefinition!
            var containers = current.containerDefinitions ?? []
            for i in containers.indices { containers[i].image = "r/svc\(index):2.0" }
            let request = ECSAPI.RegisterTaskDefinitionRequest(family: current.family!, containerDefinitions: containers)
            let file = folder.path + "/cli-svc\(index).json"
            try JSONEncoder().encode(request).write(to: URL(fileURLWithPath: file))
            let register = try runProgram(
                [tools + "/aws", "ecs", "register-task-definition", "--cli-input-json", "file://" + file, "--region", "us-east-1"],
                environment: environment)
            let update = try runProgram(
                [
                    tools + "/aws", "ecs", "update-service", "--cluster", clusters["cli"]!, "--service", "svc\(index)",
                    "--task-definition", "cli-svc\(index)", "--region", "us-east-1",
                ], environment: environment)
            guard register.status == 0, update.status == 0 else { throw BenchError("aws ecs failed: \(register.output)\(update.output)") }
            cli += register.seconds + update.seconds
        }

        var updated: [String: Int] = [:]
        for (tool, cluster) in clusters {
            let names = (0..<services).map { "svc\($0)" }
            for chunk in stride(from: 0, to: names.count, by: 10).map({ Array(names[$0..<min($0 + 10, names.count)]) }) {
                for service in try await ecs.describeServices(cluster: cluster, names: chunk).services ?? [] {
                    let definition = try await ecs.describeTaskDefinition(
                        ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: service.taskDefinition!)
                    ).taskDefinition
                    if definition?.containerDefinitions?.first?.image?.hasSuffix(":2.0") == true { updated[tool, default: 0] += 1 }
                }
            }
        }
        func done(_ tool: String) -> String { "\(updated[tool] ?? 0)/\(services) updated" }
        return [
            Figure(
                name: "4 berth apply --no-wait", inputs: inputs, value: "\(format(berth.seconds)) (1 process, \(done("berth")))",
                seconds: berth.seconds),
            Figure(
                name: "4 ecs-deploy, per service", inputs: inputs, value: "\(format(ecsDeploy)) (\(services) processes, \(done("ecsdeploy")))",
                seconds: ecsDeploy),
            Figure(
                name: "4 aws ecs register+update", inputs: inputs, value: "\(format(cli)) (\(2 * services) processes, \(done("cli")))", seconds: cli),
            Figure(name: "4 ecs-deploy / berth", inputs: inputs, value: String(format: "%.1fx", ecsDeploy / berth.seconds), seconds: nil),
            Figure(name: "4 aws cli / berth", inputs: inputs, value: String(format: "%.1fx", cli / berth.seconds), seconds: nil),
        ]
    }
}
