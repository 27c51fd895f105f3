import ArgumentParser
import CLibc
import Controller
import Foundation
import Records

@main
struct Berth: AsyncParsableCommand {
    /// Progress lines reach a pipe (CI, `tee`, `timeout`) as they are printed, not at exit.
    static func main() async {
        // The controller's repack of its mirror, in a process of its own.
        MirrorRepackProcess.runIfAsked()
        berth_line_buffer_stdout()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "GitOps for Amazon ECS: git is the source of truth for task definitions and services.",
        version: BerthVersion.current,
        subcommands: [
            ValidateCommand.self, RenderCommand.self, PlanCommand.self, ApplyCommand.self, PromoteCommand.self, DiffCommand.self,
            RollbackCommand.self, LogCommand.self, StatusCommand.self, ImportCommand.self, ImagesCommand.self, ControllerCommand.self,
            ReconcileCommand.self, LocalCommand.self,
        ]
    )
}
