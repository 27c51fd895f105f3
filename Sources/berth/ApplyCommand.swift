import Apply
import ArgumentParser
import Delivery
import Foundation
import Git
import Plan
import Records

struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make an environment match git, wait for the rollouts, and record the outcome as a git note.")

    @OptionGroup var commit: CommitManifestOptions

    @Option(help: "The environment to apply.")
    var env: String

    @Flag(help: "Return once ECS accepted the changes, without waiting for the rollouts.")
    var noWait = false

    @Option(help: "How long to wait for rollouts (e.g. 90s, 10m).")
    var timeout: DurationArgument = DurationArgument("10m")

    @Option(help: "Seconds between rollout checks.")
    var pollInterval: Double?

    @Flag(help: "Apply a spec again although its last rollout failed or was rolled back.")
    var retry = false

    @Option(help: "text or json (progress then goes to standard error).")
    var output: ValidateCommand.Format = .text

    @OptionGroup var records: RecordsOptions

    @Option(
        name: .customLong("break-glass"),
        help: ArgumentHelp(
            "Deploy a commit that policy.deployFrom refuses (not merged), for an emergency; the reason is recorded and notified.",
            valueName: "reason"))
    var breakGlass: String?

    func run() async throws {
        let source = try commit.manifests
        let setup = try ReconcileSetup(source)
        if let recorder = setup.reconciler.recorder, !records.noPublish { await RecordsOptions.sync(recorder) }
        let (plan, outcomes): (EnvironmentPlan, [ServiceOutcome])
        do {
            let local = setup.loaded.environment(env).map { if case .local = $0.target { true } else { false } } ?? false
            if let pollInterval, !(pollInterval.isFinite && pollInterval > 0 && pollInterval <= 3600) {
                throw ValidationError("--poll-interval must be a number of seconds between 0 and 3600")
            }
            if let breakGlass, breakGlass.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--break-glass needs a reason, which is recorded")
            }
            let options = ApplyOptions(
                wait: !noWait, timeout: timeout.seconds, pollInterval: pollInterval ?? (local ? 0.25 : 5), retry: retry,
                breakGlass: breakGlass)
            let json = output == .json
            (plan, outcomes) = try await setup.reconciler.apply(env, options: options) { text in
                // Lines carry what ECS and git said: one line each, never a control sequence.
                let line = TerminalText.line(text)
                if json { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
            }
        } catch {
            // What was recorded before the failure is the team's too.
            if let recorder = setup.reconciler.recorder, let line = await records.publish(recorder, wrote: true) {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            throw CLIError("\(error)")
        }
        var published: String?
        if let recorder = setup.reconciler.recorder {
            published = await records.publish(recorder, wrote: outcomes.contains { $0.record != nil })
        }
        if output == .json {
            if let published { FileHandle.standardError.write(Data((published + "\n").utf8)) }
            if let message = await revertIfRolledBack(outcomes, setup: setup) { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            let converged = outcomes.allSatisfy(\.succeeded)
            JSONOutput.print(
                JSONOutput.Apply(
                    environment: env, commit: plan.commit, plan: plan, outcomes: outcomes.map(JSONOutput.Outcome.init),
                    converged: converged))
            if !converged { throw ExitCode.failure }
            return
        }
        // Nothing to change, and nothing found under way that failed (a rollout an earlier run
        // left is followed even when the plan has nothing to change).
        if !plan.hasChanges, outcomes.allSatisfy({ if case .inSync = $0.result { true } else { false } }) {
            print("No changes. \(env) matches git.")
            if let published { print(published) }
            return
        }
        print("")
        for outcome in outcomes {
            switch outcome.result {
            case .inSync: print("  = \(outcome.service): in sync")
            case .applied(let result):
                let reason = outcome.record?.reason.map { " (\(TerminalText.line($0)))" } ?? ""
                print("  \(outcome.succeeded ? "✓" : "✗") \(outcome.service): \(result.rawValue)\(reason)")
            case .skipped(let why): print("  ✗ \(outcome.service): skipped: \(TerminalText.line(why))")
            }
        }
        if let message = await revertIfRolledBack(outcomes, setup: setup) { print(message) }
        if let published { print(published) }
        let failed = outcomes.filter { !$0.succeeded }.count
        print(failed == 0 ? "Applied \(env) at \(plan.commit.map { ObjectID.short($0) } ?? "")." : "\(failed) service(s) of \(env) did not converge.")
        if failed > 0 { throw ExitCode.failure }
    }

    /// With `policy.revertOnRollback`, a rolled-back release gets its revert commit.
    func revertIfRolledBack(_ outcomes: [ServiceOutcome], setup: ReconcileSetup) async -> String? {
        guard let environment = setup.loaded.environment(env), let commit = setup.loaded.commit,
            let root = setup.reconciler.recorder?.repositoryPath
        else { return nil }
        do {
            return try await RollbackReverter.step(manifestPath: self.commit.path)(outcomes, environment, commit, root)
        } catch {
            return "ECS rolled back, and the revert commit could not be made: \(error)"
        }
    }
}
