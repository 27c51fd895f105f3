import ArgumentParser
import Delivery
import Foundation
import Plan

/// `berth images update`: image automation by hand, as the controller does it on its interval.
struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Follow new registry tags (berth.yaml's images:).",
        subcommands: [Update.self])

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "update",
            abstract: "Pin the newest allowed tag of each images: policy in the first environment of the promotion order, as a commit.")

        @OptionGroup var repository: RepositoryOptions

        @Flag(help: "Push the commit to origin (a pull request, for mode: pull-request, is always pushed).")
        var push = false

        @Flag(help: "Show the updates; commit nothing.")
        var dryRun = false

        func run() async throws {
            let root = repository.root
            let outcome: ImageUpdater.Outcome
            do {
                outcome = try await ImageUpdater(
                    repositoryPath: root, manifestPath: repository.path, connector: TargetConnector(repositoryRoot: root)
                )
                .update(push: push, dryRun: dryRun)
            } catch {
                throw CLIError("\(error)")
            }
            for note in outcome.notes { print("  \(note)") }
            guard !outcome.updates.isEmpty else {
                print(outcome.notes.isEmpty ? "Every image is at the newest tag its policy allows." : "Nothing to update.")
                return
            }
            for update in outcome.updates {
                print("  \(update.service)/\(update.container): \(update.old ?? "(unset)") -> \(update.new)")
            }
            if dryRun {
                print("\nDry run: nothing committed.")
                return
            }
            print("")
            for line in ImageUpdater.lines(outcome) { print(line) }
        }
    }
}
