import ArgumentParser
import Records

@main
struct Berth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "berth",
        abstract: "GitOps for Amazon ECS: git is the source of truth for task definitions and services.",
        version: BerthVersion.current,
        subcommands: [ValidateCommand.self, RenderCommand.self, PlanCommand.self, ApplyCommand.self, PromoteCommand.self, DiffCommand.self, RollbackCommand.self, LogCommand.self, StatusCommand.self, ImportCommand.self, ControllerCommand.self, LocalCommand.self]
    )
}
