import Adoption
import ArgumentParser
import Foundation
import Manifests
import Plan

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write manifests for services that already run on ECS (reads ECS only).",
        discussion: """
            Writes services/<service>/service.yaml and environments/<env>/<service>.yaml into the work tree, \
            for you to review and commit. Import several environments at once (--env staging --env prod) and \
            what they share goes to the base file. See docs/adoption.md.
            """)

    @OptionGroup var source: ManifestOptions

    @Option(help: "The environment to import into (repeat for several).")
    var env: [String]

    @Option(help: "The cluster, when environments/<env>/environment.yaml does not exist yet (it is written).")
    var cluster: String?

    @Option(help: "The AWS Region for a new environment.yaml (default: AWS_REGION).")
    var region: String?

    @Flag(help: "A new environment.yaml targets the embedded local backend instead of AWS.")
    var local = false

    @Option(help: "A service to import (repeat for several).")
    var service: [String] = []

    @Flag(help: "Import every active service of the cluster.")
    var all = false

    @Flag(help: "Replace manifest files that already exist.")
    var force = false

    @Option(help: "text or json (the files written).")
    var output: ValidateCommand.Format = .text

    func validate() throws {
        guard all != !service.isEmpty else { throw ValidationError("name the services with --service, or pass --all") }
        if cluster != nil && env.count != 1 { throw ValidationError("--cluster goes with exactly one --env") }
    }

    func run() async throws {
        guard let repositoryRoot = source.source.repositoryRoot() else {
            throw CLIError("import writes into a local repository's work tree; \(source.repo) is not one")
        }
        let root = source.path.isEmpty ? repositoryRoot : repositoryRoot + "/" + source.path
        var worktree = source
        worktree.worktree = true
        if let cluster { try writeEnvironment(root: root, cluster: cluster) }
        let loaded = try worktree.load()
        let importer = ManifestImporter(root: root, loaded: loaded, connector: TargetConnector(repositoryRoot: repositoryRoot))
        let written: [String]
        do {
            written = try await importer.run(environments: env, services: service, force: force)
        } catch {
            throw CLIError("\(error)")
        }
        let paths = written.map { source.path.isEmpty ? $0 : source.path + "/" + $0 }
        if output == .json {
            JSONOutput.print(["written": paths])
            return
        }
        for path in paths { print("wrote \(path)") }
        print(
            "Review and commit them; `berth plan --worktree --env \(env[0])\(source.path.isEmpty ? "" : " --path " + source.path)` shows no changes for what was imported."
        )
    }

    /// A minimal berth.yaml and environment.yaml for a cluster not described yet.
    func writeEnvironment(root: String, cluster: String) throws {
        let file = root + "/environments/\(env[0])/environment.yaml"
        guard !FileManager.default.fileExists(atPath: file) else { return }
        let target: String
        if local {
            target = "{local: {cluster: \(cluster)}}"
        } else {
            let environment = ProcessInfo.processInfo.environment
            guard let region = region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] else {
                throw CLIError("a new environment needs a Region: pass --region or set AWS_REGION")
            }
            target = "{aws: {region: \(region), cluster: \(cluster)}}"
        }
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: root + "/berth.yaml") {
            try "version: 1\n".write(toFile: root + "/berth.yaml", atomically: true, encoding: .utf8)
        }
        try "target: \(target)\n".write(toFile: file, atomically: true, encoding: .utf8)
        if output == .text { print("wrote \(source.path.isEmpty ? "" : source.path + "/")environments/\(env[0])/environment.yaml") }
    }
}
