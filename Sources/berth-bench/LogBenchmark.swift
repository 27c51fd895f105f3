import Delivery
import Foundation
import Git

/// `berth log --env prod` over a generated history, beside `git log` over the same paths.
struct LogBenchmark {
    let commits: Int

    func run() throws -> [Figure] {
        let folder = BenchFolder()
        defer { folder.remove() }
        let repo = try Repository.create(at: folder.path, bare: true)
        let base: [String: String] = [
            "manifests/berth.yaml": "version: 1\npromotion: [staging, prod]\n",
            "manifests/environments/staging/environment.yaml": "target: {local: {}}\nrelease: {version: \"0\"}\n",
            "manifests/environments/prod/environment.yaml": "target: {local: {}}\nrelease: {version: \"0\"}\n",
            "manifests/services/api/service.yaml": "taskDefinition: {containerDefinitions: [{name: app, image: \"r/api:${release.version}\", memory: 128}]}\n",
            "manifests/environments/staging/api.yaml": "{}\n",
            "manifests/environments/prod/api.yaml": "{}\n",
        ]
        var tip = try repo.commit(changes: base.sorted { $0.key < $1.key }.map { .write($0.key, $0.value) }, onto: "main",
                                  expectedTip: nil, message: "start", author: benchAuthor)
        let started = Date()
        // One release in ten reaches prod, as staging sees every release first.
        for i in 1..<commits {
            let env = i % 10 == 0 ? "prod" : "staging"
            tip = try repo.commit(changes: [.write("manifests/environments/\(env)/environment.yaml", "target: {local: {}}\nrelease: {version: \"\(i)\"}\n")],
                                  onto: "main", expectedTip: tip, message: "release \(i) to \(env)", author: benchAuthor)
        }
        let generation = Date().timeIntervalSince(started)

        let berthStart = Date()
        let entries = try DeploymentLog(repositoryPath: folder.path, manifestPath: "manifests").entries(environment: "prod")
        let berth = Date().timeIntervalSince(berthStart)
        let git = try runProgram(["git", "-C", folder.path, "log", "--format=%H", "main", "--",
                                  "manifests/berth.yaml", "manifests/environments/prod", "manifests/services"]).seconds

        let inputs = "\(commits) commits, 1 in 10 to prod"
        return [
            Figure(name: "6 generate history (libgit2)", inputs: inputs, value: format(generation), seconds: generation),
            Figure(name: "6 berth log --env prod", inputs: inputs, value: "\(format(berth)) (\(entries.count) entries)", seconds: berth),
            Figure(name: "6 git log -- prod paths", inputs: inputs, value: format(git), seconds: git),
            Figure(name: "6 berth log / git log", inputs: inputs, value: String(format: "%.1fx", berth / max(git, 0.0001)), seconds: nil),
        ]
    }
}
