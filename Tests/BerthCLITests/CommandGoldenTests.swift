import BerthTestSupport
import Foundation
import Git
import Testing

/// Every command's output, as a user sees it, against files under Golden/commands: one file a
/// step, the command line first, then what it printed and how it exited. The steps run in
/// order on one repository of the example manifests and the local target: validate, render,
/// plan, apply, status, diff, promote, rollback, log, local, and errors. What changes from run
/// to run (commit ids of commits berth makes, times, the host) is replaced by placeholders;
/// nothing else is, but what a poll saw while a rollout ran. `BERTH_UPDATE_GOLDEN=1` writes the files from what the commands print.
@Suite struct CommandGoldenTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/commands").path

    struct Step {
        let file: String
        let command: String
        let expected: String
    }

    static func steps() throws -> [Step] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".txt") }.sorted()
        return try names.map { name in
            let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
            let command = String(text.prefix { $0 != "\n" })
            return Step(file: name, command: command, expected: text)
        }
    }

    @Test func everyCommandPrintsWhatItsGoldenFileSays() throws {
        let steps = try Self.steps()
        #expect(steps.count >= 20, "no golden steps found under \(Self.folder)")
        // Commits the test makes have fixed dates, a day apart: the same ids every run, and
        // older than the ones berth makes (promote, rollback), which the log lists first.
        let scratch = try ScratchRepo(date: Self.day(0))
        let home = scratch.path + "/.home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try "[user]\n\tname = Golden Tester\n\temail = golden@example.com\n".write(toFile: home + "/.gitconfig", atomically: true, encoding: .utf8)
        let update = ProcessInfo.processInfo.environment["BERTH_UPDATE_GOLDEN"] == "1"
        var labels = ShaLabels()
        var edits = 0
        for step in steps {
            var printed = step.command + "\n"
            if step.command.hasPrefix("$ edit ") {
                edits += 1
                try edit(scratch, String(step.command.dropFirst("$ edit ".count)), date: Self.day(edits))
            } else if step.command.hasPrefix("$ berth ") {
                let arguments = step.command.dropFirst("$ berth ".count).split(separator: " ").map(String.init)
                let run = try berth(arguments, in: scratch.path, environment: ["HOME": home, "BERTH_LOCAL_PACE": "0.05", "NO_COLOR": "1"])
                printed += Self.normalized(run.stdout, root: scratch.path, labels: &labels)
                if !run.stderr.isEmpty { printed += "[stderr]\n" + Self.normalized(run.stderr, root: scratch.path, labels: &labels) }
                printed += "[exit \(run.status)]\n"
            } else {
                Issue.record("\(step.file): a step is `$ berth …` or `$ edit FILE: OLD => NEW`")
            }
            if update {
                try printed.write(toFile: Self.folder + "/" + step.file, atomically: true, encoding: .utf8)
            } else {
                #expect(printed == step.expected, "\(step.file) differs; BERTH_UPDATE_GOLDEN=1 rewrites it:\n\(printed)")
            }
        }
    }

    static func day(_ number: Int) -> Date { Date(timeIntervalSince1970: 1_767_225_600 + Double(number) * 86_400) }

    /// `FILE: OLD => NEW`: one edit of a file, committed at `date`.
    func edit(_ scratch: ScratchRepo, _ spec: String, date: Date) throws {
        let colon = try #require(spec.firstIndex(of: ":"))
        let path = String(spec[..<colon])
        let parts = spec[spec.index(after: colon)...].components(separatedBy: " => ")
        try #require(parts.count == 2)
        let old = parts[0].trimmingCharacters(in: .whitespaces), new = parts[1]
        let head = try scratch.repo.resolve("main")
        let text = String(decoding: try #require(try scratch.repo.file(at: head, path: path)), as: UTF8.self)
        try #require(text.contains(old), "\(path) has no \(old)")
        try scratch.commit([.write(path, text.replacingOccurrences(of: old, with: new))], "edit \(path)", date: date)
    }

    /// Commit ids become `<sha1>`, `<sha2>`… by first appearance (the same id, the same label,
    /// in every step); times, ages and the host become placeholders; the scratch folder `<repo>`.
    /// Progress lines of services rolling out together are sorted by service, each service's
    /// own lines kept in order: which service ECS answers for first is not the output's.
    static func normalized(_ text: String, root: String, labels: inout ShaLabels) -> String {
        var out = text.replacingOccurrences(of: root, with: "<repo>")
        out = out.replacingOccurrences(of: " on \(ProcessInfo.processInfo.hostName) ", with: " on <host> ")
        // Which service ECS answers first decides the local target's deployment numbers.
        out = out.replacing(#/ecs-svc/[0-9a-f]{12}/#, with: "ecs-svc/<id>")
        out = labels.replace(in: out)
        out = out.replacing(#/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/#, with: "<time>")
        out = out.replacing(#/\b\d+(\.\d+)?(s|m|h|d) ago\b/#, with: "<ago>")
        out = out.replacing(#/\b\d+(\.\d+)? ?(ms|s)\b/#, with: "<duration>")
        // What a poll saw while a rollout ran (its state, ECS's events) depends on how soon the
        // poll came: on a loaded machine the rollout may be over first.
        out = out.components(separatedBy: "\n").filter { $0.firstMatch(of: #/^[a-z0-9-]+/[a-z0-9-]+: (IN_PROGRESS|event): /#) == nil }
            .joined(separator: "\n")
        return sortedProgress(out)
    }

    static func sortedProgress(_ text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        let progress = #/^[a-z0-9-]+/[a-z0-9-]+: /#
        var start = 0
        while start < lines.count {
            guard lines[start].firstMatch(of: progress) != nil else {
                start += 1
                continue
            }
            var end = start
            while end < lines.count, lines[end].firstMatch(of: progress) != nil { end += 1 }
            let run = lines[start..<end].enumerated().sorted {
                let a = $0.element.prefix { $0 != ":" }, b = $1.element.prefix { $0 != ":" }
                return a != b ? a < b : $0.offset < $1.offset
            }.map(\.element)
            lines.replaceSubrange(start..<end, with: run)
            start = end
        }
        return lines.joined(separator: "\n")
    }
}

/// Labels for commit ids, stable across the steps of one run.
struct ShaLabels {
    private var labels: [String: String] = [:]
    /// Twelve hex digits that are no commit: the example's AWS account.
    static let constants: Set<String> = ["123456789012"]

    mutating func replace(in text: String) -> String {
        var out = text
        // Full ids first, so a short id of the same commit gets the same label.
        for match in text.matches(of: #/\b[0-9a-f]{40}\b/#) {
            let full = String(match.output)
            out = out.replacingOccurrences(of: full, with: label(for: full))
        }
        for match in out.matches(of: #/\b[0-9a-f]{12}\b/#) where !Self.constants.contains(String(match.output)) {
            let short = String(match.output)
            if let known = labels.first(where: { $0.key.hasPrefix(short) })?.value {
                out = out.replacingOccurrences(of: short, with: known)
            } else {
                out = out.replacingOccurrences(of: short, with: label(for: short))
            }
        }
        return out
    }

    private mutating func label(for id: String) -> String {
        if let known = labels[id] ?? labels.first(where: { $0.key.hasPrefix(id) || id.hasPrefix($0.key) })?.value { return known }
        let label = "<sha\(Set(labels.values).count + 1)>"
        labels[id] = label
        return label
    }
}
