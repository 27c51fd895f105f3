import ArgumentParser
import ECS
import Foundation
import Git
import Manifests
import Plan

/// `berth local show|reset|fail-image|fail-hook`: look into and manage the embedded local ECS backend.
struct LocalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "local",
        abstract: "Inspect or reset the embedded local ECS target.",
        subcommands: [Show.self, Reset.self, FailImage.self, FailHook.self])

    struct StateOptions: ParsableArguments {
        @Option(
            help:
                "The state file (default: BERTH_LOCAL_STATE_FILE, else the manifests' target.local.stateFile, else .berth/local-ecs.json at the top of the repository)."
        )
        var stateFile: String?

        @Option(help: "The manifest repository, to find the state file.")
        var repo: String = "."

        @Option(help: "The manifest root inside the repository.")
        var path: String = ""

        /// The state file apply and the controller use, in the order they choose it.
        func backend() throws -> LocalECS {
            LocalECS(stateFile: try location())
        }

        func location() throws -> String {
            if let stateFile { return stateFile }
            if let operator_ = ProcessInfo.processInfo.environment["BERTH_LOCAL_STATE_FILE"], !operator_.isEmpty { return operator_ }
            let root = (try? Repository.discover(from: repo))?.workingDirectory ?? repo
            let loaded = try? ManifestLoader().load(ManifestSource(repository: repo, path: path, ref: nil, worktree: false).read())
            let files = Set(
                (loaded?.environments ?? []).compactMap { environment -> String? in
                    guard case .local(let target) = environment.target else { return nil }
                    return TargetConnector.stateFile(target, root: root)
                })
            if files.count > 1 {
                throw ValidationError(
                    "the local environments keep their state in \(files.sorted().joined(separator: " and ")): name one with --state-file")
            }
            return files.first ?? LocalStateLocation.defaultPath(repository: repo)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print clusters, task definitions and services.")
        @OptionGroup var state: StateOptions

        func run() async throws {
            print(try await state.backend().summary())
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget everything the local target holds.")
        @OptionGroup var state: StateOptions

        func run() async throws {
            try await state.backend().reset()
            print("local ECS state cleared")
        }
    }

    struct FailImage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fail-image",
            abstract: "Make rollouts of an image fail (to see the circuit breaker at work).")
        @OptionGroup var state: StateOptions
        @Argument(help: "The image reference, exactly as in the task definition.")
        var image: String
        @Flag(help: "Let the image succeed again.")
        var clear = false

        func run() async throws {
            try await state.backend().setImage(image, failing: !clear)
            print(clear ? "\(image) rolls out normally again" : "rollouts of \(image) will fail")
        }
    }
}

extension LocalCommand {
    struct FailHook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fail-hook",
            abstract: "Make lifecycle hooks at a stage fail (to see a blue/green, linear or canary deployment roll back).")
        @OptionGroup var state: StateOptions
        @Argument(help: "The lifecycle stage: \(LocalECS.hookStages.joined(separator: ", ")).")
        var stage: String
        @Flag(help: "Let hooks at that stage succeed again.")
        var clear = false

        func validate() throws {
            guard LocalECS.hookStages.contains(stage) else {
                throw ValidationError("'\(stage)' is no lifecycle stage a hook runs at; one of: \(LocalECS.hookStages.joined(separator: ", "))")
            }
        }

        func run() async throws {
            try await state.backend().setHook(stage: stage, failing: !clear)
            print(
                clear
                    ? "lifecycle hooks at \(stage) succeed again"
                    : "lifecycle hooks at \(stage) will fail: deployments with one roll back there")
        }
    }
}

/// Where the local target keeps its state by default: `.berth/` at the top of the work tree,
/// which berth's own .gitignore (and the docs) keep out of git.
enum LocalStateLocation {
    static func defaultPath(repository: String) -> String {
        let root = (try? Repository.discover(from: repository))?.workingDirectory ?? repository
        return URL(fileURLWithPath: root).appendingPathComponent(".berth/local-ecs.json").standardizedFileURL.path
    }
}
