import Foundation
import Git

/// `berth log --env prod` over a generated history, beside `git log` over the same paths, both
/// as processes (time and peak memory). The history is a team's: staging gets a new build of
/// one service at a time, every tenth commit promotes one service to prod (with berth's
/// trailers), every fiftieth changes a service's base (which reaches both environments).
struct LogBenchmark {
    let commits: Int
    let services: Int
    /// Where the history is kept for another run (made there when missing); nil: a temporary one.
    var keep: String?
    /// Runs of each program, alternating: one run's ratio moves by a fifth with the machine's
    /// load, so the figures are medians, with the range of the runs beside them.
    var runs = 5

    func run() throws -> [Figure] {
        let folder = keep.map { BenchFolder(path: $0) } ?? BenchFolder()
        defer { if keep == nil { folder.remove() } }
        var generation = 0.0
        if !FileManager.default.fileExists(atPath: folder.path + "/HEAD") { generation = try generate(in: folder.path) }
        var berth: [Run] = []
        var git: [Run] = []
        for _ in 0..<max(1, runs) {
            berth.append(try measured([berthExecutable, "log", "--repo", folder.path, "--path", "manifests", "--env", "prod"]))
            git.append(
                try measured([
                    "git", "-C", folder.path, "log", "--oneline", "main", "--",
                    "manifests/berth.yaml", "manifests/environments/prod", "manifests/services",
                ]))
        }
        let (b, g) = (Run.median(berth), Run.median(git))
        let ratios = zip(berth, git).map { $0.seconds / max($1.seconds, 0.0001) }.sorted()
        let inputs = "\(commits) commits × \(services) varied services"
        return [
            Figure(name: "6 generate history (libgit2)", inputs: inputs, value: format(generation), seconds: generation),
            Figure(name: "6 berth log --env prod", inputs: inputs, value: Run.describe(berth), seconds: b.seconds),
            Figure(name: "6 git log --oneline -- prod paths", inputs: inputs, value: Run.describe(git), seconds: g.seconds),
            Figure(
                name: "6 berth log / git log", inputs: inputs,
                value: String(
                    format: "time %.2fx (median to median; %.2fx to %.2fx run by run), memory %.2fx", b.seconds / max(g.seconds, 0.0001),
                    ratios.first ?? 0, ratios.last ?? 0, b.peakMiB / max(g.peakMiB, 0.1)),
                seconds: nil),
        ]
    }

    /// One run of a program: wall time, peak resident memory and lines printed.
    struct Run {
        let seconds: Double
        let peakMiB: Double
        let lines: Int

        /// The median run by time (the upper one of an even count), with the median peak.
        static func median(_ runs: [Run]) -> Run {
            let times = runs.map(\.seconds).sorted()
            let peaks = runs.map(\.peakMiB).sorted()
            return Run(seconds: times[times.count / 2], peakMiB: peaks[peaks.count / 2], lines: runs.first?.lines ?? 0)
        }

        /// "median 3.10 s (2.95 to 3.40 s over 5 runs), peak 151 MiB (92,299 lines)".
        static func describe(_ runs: [Run]) -> String {
            let median = median(runs)
            let times = runs.map(\.seconds)
            return "median \(format(median.seconds)) (\(format(times.min() ?? 0)) to \(format(times.max() ?? 0)) over \(runs.count) runs), "
                + "peak \(Int(median.peakMiB)) MiB (\(median.lines) lines)"
        }
    }

    /// Makes the history and packs it (a real repository is packed; both tools read the packs).
    func generate(in path: String) throws -> Double {
        let repo = try Repository.create(at: path, bare: true)
        var tip = try repo.commit(
            changes: VariedManifests.files(services: services), onto: "main", expectedTip: nil,
            message: "start", author: benchAuthor)
        let started = Date()
        var stagingBuild = Array(repeating: 0, count: services)
        var revisions = Array(repeating: 0, count: services)
        var lastBumped = 0
        for i in 1..<commits {
            var index = (i * 7919) % services
            let changes: [FileChange]
            var message: String
            if i % 50 == 0 {
                revisions[index] += 1
                changes = VariedManifests.service(index, revision: revisions[index], root: "manifests")
                message = "svc\(index): tune its task definition"
            } else if i % 10 == 0 {
                // The build staging got last goes on to prod.
                index = lastBumped
                changes = [
                    .write("manifests/environments/prod/svc\(index).yaml", VariedManifests.overlay(index, env: "prod", build: stagingBuild[index]))
                ]
                message =
                    "promote staging -> prod: svc\(index) 1.\(stagingBuild[index])\n\nBerth-Promotion: staging -> prod\n"
                    + "Berth-Source-Commit: \(tip.hex)\nBerth-Release: svc\(index)=1.\(stagingBuild[index])\n"
            } else {
                stagingBuild[index] += 1
                lastBumped = index
                changes = [
                    .write(
                        "manifests/environments/staging/svc\(index).yaml", VariedManifests.overlay(index, env: "staging", build: stagingBuild[index]))
                ]
                message = "svc\(index) 1.\(stagingBuild[index]) to staging"
            }
            tip = try repo.commit(changes: changes, onto: "main", expectedTip: tip, message: message, author: benchAuthor)
        }
        let generation = Date().timeIntervalSince(started)
        try runProgram(["git", "-C", path, "repack", "-adq"])
        return generation
    }

    /// A program's wall time, peak resident memory (GNU time's maximum RSS) and output lines.
    func measured(_ arguments: [String]) throws -> Run {
        let report = BenchFolder().path + ".time"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let result = try runProgram(["/usr/bin/time", "-o", report, "-f", "%e %M"] + arguments)
        guard result.status == 0 else { throw BenchError("\(arguments[0]) failed: \(result.output.suffix(500))") }
        let fields = (try String(contentsOfFile: report, encoding: .utf8)).split(whereSeparator: \.isWhitespace)
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).count
        return Run(seconds: result.seconds, peakMiB: (Double(fields.last ?? "") ?? -1) / 1024, lines: lines)
    }
}
