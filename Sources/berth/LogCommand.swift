import ArgumentParser
import CLibc
import Delivery
import Foundation
import Git
import Manifests
import Records

struct LogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "The deployment log from git: what changed in each environment, who changed it, and what berth did.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var repository: RepositoryOptions

    @Option(help: "The revision to start from.")
    var ref: String = "HEAD"

    @Option(help: "Only this environment.")
    var env: String?

    @Option(help: "Only this service.")
    var service: String?

    @Option(help: "Only commits since this date (2026-11-01 or 2026-11-01T12:00:00Z).")
    var since: String?

    @Option(help: "Only commits up to this date.")
    var until: String?

    @Option(help: "Only records with this outcome (converged, failed, rolled-back, timed-out, started, superseded, refused, skipped).")
    var outcome: String?

    @Option(help: "Only records by this deployer (part of a name, email, host or controller id).")
    var deployer: String?

    @Option(help: "text or json.")
    var output: Format = .text

    func run() async throws {
        let root = repository.root
        // The team's log: the origin's records merged with this clone's.
        await RecordsOptions.sync(NotesRecorder(repositoryPath: root))
        // What follows only reads.
        Repository.readOnlyProcess()
        // Written out in blocks, and whenever the log waits for its next entry (a line at a time
        // was a tenth of the log's time at 100,000 commits).
        berth_block_buffer_stdout()
        // What was found is out before an error that stopped the rest is.
        defer { berth_flush_stdout() }
        var sinceDate: Date?, untilDate: Date?
        if let since {
            guard let date = Freeze.parseDate(since) else { throw ValidationError("--since '\(since)' is not a date") }
            sinceDate = date
        }
        if let until {
            guard let date = Freeze.parseDate(until) else { throw ValidationError("--until '\(until)' is not a date") }
            untilDate = date
        }
        if let outcome, DeploymentRecord.Outcome(rawValue: outcome) == nil {
            throw ValidationError(
                "--outcome '\(outcome)' is not an outcome (converged, failed, rolled-back, timed-out, started, superseded, refused, skipped)")
        }
        // Each entry is shown as it is found: a long history streams instead of waiting.
        func keep(_ entry: LogEntry) -> LogEntry? {
            if let untilDate, entry.committer.date > untilDate { return nil }
            guard outcome != nil || deployer != nil else { return entry }
            // Record filters keep the matching records, and the entries that have any.
            var entry = entry
            entry.applied = entry.applied.filter { record in
                (outcome == nil || record.outcome.rawValue == outcome)
                    && (deployer == nil
                        || record.deployer.map { [$0.display, $0.name].contains { $0.localizedCaseInsensitiveContains(deployer!) } } == true)
            }
            return entry.applied.isEmpty ? nil : entry
        }
        let log = DeploymentLog(repositoryPath: root, manifestPath: repository.path)
        var shown = 0
        let show: (LogEntry) throws -> Void
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            show = { entry in
                let text = String(decoding: try encoder.encode(entry), as: UTF8.self).replacingOccurrences(of: "\n", with: "\n  ")
                print((shown == 0 ? "[\n  " : ",\n  ") + text, terminator: "")
            }
        case .text:
            show = { entry in Self.printText(entry) }
        }
        // A mistyped environment or a forgotten --path is said at once, on standard error: the
        // log itself can only say so after walking the whole history (11 s at 100,000
        // commits), and an environment removed since still has one, so the walk goes on.
        let missing = env.flatMap { try? log.missingEnvironment($0, ref: ref) }
        if let missing {
            FileHandle.standardError.write(Data("note: \(TerminalText.line(missing)); reading the history anyway\n".utf8))
        }
        do {
            try log.forEachEntry(
                ref: ref, environment: env, service: service, since: sinceDate, waiting: { berth_flush_stdout() }
            ) { entry in
                guard let entry = keep(entry) else { return }
                try show(entry)
                shown += 1
            }
        } catch {
            throw CLIError("\(error)")
        }
        switch output {
        case .json: print(shown == 0 ? "[\n\n]" : "\n]")
        case .text:
            if shown == 0 {
                print("no deployments\(env.map { " in \($0)" } ?? "")" + (missing.map { ": " + TerminalText.line($0) } ?? ""))
            }
        }
    }

    /// One entry as text. Commit subjects, names and reasons come from git: nothing in them
    /// reaches the terminal as a control sequence, and none can forge a line.
    static func printText(_ entry: LogEntry) {
        func show(_ line: String) { print(TerminalText.line(line)) }
        show("commit \(ObjectID.short(entry.commit))  \(entry.environment)  \(utc(entry.committer.date))  \(entry.signature)")
        show("    \(entry.subject)")
        show("    author \(entry.author.name) <\(entry.author.email)>, committed by \(entry.committer.name)")
        for (key, values) in entry.trailers.sorted(by: { $0.key < $1.key }) where key.hasPrefix("Berth-") {
            for value in values { show("    \(key): \(value)") }
        }
        if let check = entry.trailerCheck {
            show("    trailers \(check.verified ? "verified" : "claimed, not verified"): \(check.reason)")
        }
        if let validity = entry.validity { show("    \(validity)") }
        for change in entry.services {
            let fields = change.fields.isEmpty ? "" : ": " + change.fields.prefix(6).joined(separator: ", ") + (change.fields.count > 6 ? ", …" : "")
            show("    \(change.change) \(change.service)\(fields)")
        }
        if entry.services.isEmpty, entry.validity == nil { show("    no change to \(entry.environment) of its own: applied at this commit") }
        for record in entry.applied {
            let revision = record.taskDefinitionArn.split(separator: "/").last.map { " " + $0 } ?? ""
            let who = [record.deployer.map { "by \($0.display)" }, record.trigger.map { "(\($0.rawValue))" }].compactMap { $0 }
            show(
                "    applied \(record.service): \(record.outcome.rawValue) \(utc(record.finished ?? record.started))\(revision)"
                    + (who.isEmpty ? "" : " " + who.joined(separator: " ")) + (record.reason.map { " (\($0))" } ?? ""))
            if let drifted = record.drifted, !drifted.isEmpty { show("      self-heal: put back \(drifted.joined(separator: ", "))") }
            if let reason = record.breakGlass { show("      break glass: \(reason)") }
        }
        if let with = entry.deployedWith, !entry.applied.contains(where: { $0.outcome.deployed }) {
            show("    deployed with \(ObjectID.short(with))")
        } else if entry.applied.isEmpty {
            show("    not applied")
        }
        show("")
    }

    /// A time as ISO 8601 in UTC, to the second (what ISO8601DateFormatter prints, at a
    /// fraction of its cost: every entry prints one or more).
    static func utc(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 32) { buffer in
            let count = strftime(buffer.baseAddress!, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: count), as: UTF8.self)
        }
    }
}
