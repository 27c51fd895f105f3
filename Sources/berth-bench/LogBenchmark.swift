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

    func run() throws -> [Figure] {
        let folder = keep.map { BenchFolder(path: $0) } ?? BenchFolder()
        defer { if keep == nil { folder.remove() } }
        var generation = 0.0
        if !FileManager.default.fileExists(atPath: folder.path + "/HEAD") { generation = try generate(in: folder.path) }
        let berth = try measured([berthExecutable, "log", "--repo", folder.path, "--path", "manifests", "--env", "prod"])
        let git = try measured([
            "git", "-C", folder.path, "log", "--oneline", "main", "--",
            "manifests/berth.yaml", "manifests/environments/prod", "manifests/services",
        ])
        let inputs = "\(commits) commits × \(services) varied services"
        return [
            Figure(name: "6 generate history (libgit2)", inputs: inputs, value: format(generation), seconds: generation),
            Figure(
                name: "6 berth log --env prod", inputs: inputs,
                value: "\(format(berth.seconds)), peak \(Int(berth.peakMiB)) MiB (\(berth.lines) lines)", seconds: berth.seconds),
            Figure(
                name: "6 git log --oneline -- prod paths", inputs: inputs,
                value: "\(format(git.seconds)), peak \(Int(git.peakMiB)) MiB (\(git.lines) lines)", seconds: git.seconds),
            Figure(
                name: "6 berth log / git log", inputs: inputs,
                value: String(format: "time %.1fx, memory %.1fx", berth.seconds / max(git.seconds, 0.0001), berth.peakMiB / max(git.peakMiB, 0.1)),
                seconds: nil),
        ]
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
    func measured(_ arguments: [String]) throws -> (seconds: Double, peakMiB: Double, lines: Int) {
        let report = BenchFolder().path + ".time"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let result = try runProgram(["/usr/bin/time", "-o", report, "-f", "%e %M"] + arguments)
        guard result.status == 0 else { throw BenchError("\(arguments[0]) failed: \(result.output.suffix(500))") }
        let fields = (try String(contentsOfFile: report, encoding: .utf8)).split(whereSeparator: \.isWhitespace)
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).count
        return (result.seconds, (Double(fields.last ?? "") ?? -1) / 1024, lines)
    }
}
