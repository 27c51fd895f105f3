import AWS
import BerthTestSupport
import ECS
import Foundation
import Git
import Testing

/// Three `berth controller` processes share four environments through leases in moto's DynamoDB.
@Suite struct ReplicaProcessTests {
    @Test func threeProcessesShareTheWorkAndTakeOverFromOneThatDies() async throws {
        let folder = ScratchFolder()
        let shared = try SharedEnvironments.origin(in: folder.path)
        let environments = SharedEnvironments.names
        let moto = try await MotoServer.shared.url()
        let table = "berth-leases-\(UUID().uuidString.prefix(6))"
        _ = try await MotoServer.shared.client().json(
            .dynamoDB, "CreateTable",
            body: Array(
                #"{"TableName":"\#(table)","AttributeDefinitions":[{"AttributeName":"environment","AttributeType":"S"}],"KeySchema":[{"AttributeName":"environment","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}"#
                    .utf8))

        var processes: [Process] = []
        var ports: [Int] = []
        for index in 1...3 {
            let port = try FreePort.pick()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: berthBinary())
            process.arguments = [
                "controller", "--repo", folder.path + "/origin.git", "--interval", "1s", "--lease-table", table,
                "--lease-duration", "6s", "--listen", "127.0.0.1:\(port)", "--state-dir", folder.path + "/replica\(index)",
                "--log-format", "json",
            ]
            process.environment = ProcessInfo.processInfo.environment.merging([
                "AWS_ENDPOINT_URL": moto, "AWS_ACCESS_KEY_ID": "AKIATESTTESTTESTTEST", "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "BERTH_LOCAL_PACE": "0.05",
                "BERTH_LOCAL_STATE_FILE": shared,
            ]) { $1 }
            // Each replica's JSON log to a file, read for its lease lines at the end.
            _ = FileManager.default.createFile(atPath: folder.path + "/replica\(index).log", contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: folder.path + "/replica\(index).log")
            process.standardError = FileHandle.nullDevice
            try process.run()
            processes.append(process)
            ports.append(port)
        }
        defer { for process in processes where process.isRunning { process.terminate() } }

        /// Which replica reports each environment converged in its last few seconds.
        func owners(_ replicas: [Int]) async -> [String: [Int]] {
            var result: [String: [Int]] = [:]
            for index in replicas {
                guard let status = await ControllerCLITests.status("http://127.0.0.1:\(ports[index])") else { continue }
                for env in (status["environments"] as? [[String: Any]]) ?? [] where env["converged"] as? Bool == true {
                    result[env["environment"] as? String ?? "", default: []].append(index)
                }
            }
            return result
        }

        // Replicas start one after another, and the first takes every lease until the others
        // are live: an environment handed over is reported by both until the giver's next pass.
        var first: [String: [Int]] = [:]
        for _ in 0..<300 {
            first = await owners([0, 1, 2])
            if Set(first.keys) == Set(environments), first.values.allSatisfy({ $0.count == 1 }) { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        #expect(Set(first.keys) == Set(environments))
        #expect(first.values.allSatisfy { $0.count == 1 }, "\(first)")
        for env in environments {
            #expect(try await LocalECS(stateFile: shared).allTaskDefinitionArns(familyPrefix: "\(env)-api").count == 1)
        }

        // Kill one replica that owns something; its environments move to the others.
        let victim = first.values.flatMap { $0 }.sorted().last!
        let orphaned = Set(first.filter { $0.value == [victim] }.keys)
        kill(processes[victim].processIdentifier, SIGKILL)
        let survivors = [0, 1, 2].filter { $0 != victim }
        var moved: [String: [Int]] = [:]
        for _ in 0..<300 {
            moved = await owners(survivors)
            if orphaned.isSubset(of: Set(moved.keys)), moved.values.allSatisfy({ $0.count == 1 }) { break }
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        #expect(orphaned.isSubset(of: Set(moved.keys)), "\(moved)")
        #expect(moved.values.allSatisfy { $0.count == 1 })
        // Each survivor said which environments it took over, one JSON line each.
        for environment in orphaned {
            let said = try survivors.contains { index in
                try String(contentsOfFile: folder.path + "/replica\(index + 1).log", encoding: .utf8).split(separator: "\n").contains { line in
                    let fields = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    return fields?["event"] as? String == "lease" && fields?["environment"] as? String == environment
                        && fields?["held"] as? Bool == true
                }
            }
            #expect(said, "no lease line for \(environment)")
        }
    }
}
