import Forge
import Foundation
import Git
import Records

/// What makes a release pull request the same one next time: the trailer berth's commits on
/// its branch carry (`Berth-Promotion: staging -> prod`, `Berth-Rollback: prod`), the marker in
/// its body, and berth's own branch name when the user names none.
struct ReleaseBranchKey: Sendable {
    let trailer: String
    let value: String
    let defaultBranch: String

    static func promotion(from source: String, to target: String) -> ReleaseBranchKey {
        ReleaseBranchKey(trailer: "Berth-Promotion", value: "\(source) -> \(target)", defaultBranch: "berth/promote-\(source)-to-\(target)")
    }

    static func rollback(_ environment: String) -> ReleaseBranchKey {
        ReleaseBranchKey(trailer: "Berth-Rollback", value: environment, defaultBranch: "berth/rollback-\(environment)")
    }

    var marker: String { "<!-- berth:\(trailer.dropFirst("Berth-".count).lowercased()) \(value) -->" }

    /// The open pull request into `base` that berth opened for this key, if any: from a branch
    /// of the repository itself (never a fork's), other than the base, its body starting with
    /// the marker. Its branch is replaced only if it holds nothing but berth's commits (`ReleaseCommitter`).
    /// Only berth's own branch for the key, or the one asked for: a pull request naming any
    /// other branch could otherwise steer berth's push, or block it.
    func find(on forge: any Forge, base: String, requested: String? = nil) async throws -> PullRequest? {
        try await forge.openPullRequests(into: base).first {
            $0.sameRepository && ($0.headBranch == defaultBranch || $0.headBranch == requested) && $0.headBranch.lowercased() != base.lowercased()
                && $0.body.hasPrefix(marker)
        }
    }

    /// A name berth will make a branch of: what `git check-ref-format --branch` takes, less what
    /// confuses people and tools (`HEAD`, `refs/…`, a leading `-` or `+`, anything but ASCII
    /// letters, digits, `/`, `-`, `_`, `.`). A forge's answer names branches; it is input too.
    static func isPlainBranch(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 200, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/-_.".contains($0)) }),
            name.uppercased() != "HEAD", !name.hasPrefix("refs/"), !name.hasPrefix("-"), !name.hasSuffix(".lock"),
            !name.contains(".."), !name.contains("//")
        else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { !$0.isEmpty && !$0.hasPrefix(".") && !$0.hasSuffix(".") }
    }

    /// A pull request berth opened for this key with this title that was closed unmerged.
    func declined(on forge: any Forge, base: String, title: String) async throws -> PullRequest? {
        try await forge.closedPullRequests(into: base).first { $0.sameRepository && $0.title == title && $0.body.hasPrefix(marker) }
    }

    /// The branch a release commit goes on: the open pull request's, else `requested`, else berth's.
    func branch(on forge: any Forge, base: String, requested: String?) async throws -> String {
        try await find(on: forge, base: base, requested: requested)?.headBranch ?? requested ?? defaultBranch
    }

    /// The pull request for `result`, with `body` under the marker.
    func publish(_ result: PromotionResult, body: String, on forge: any Forge) async throws -> (PullRequest, opened: Bool) {
        let title = result.subject
        return try await forge.openOrUpdate(
            PullRequestDraft(
                title: title, body: marker + "\n" + body, head: result.branch, base: result.baseBranch,
                labels: forge.settings.labels))
    }
}

/// The body of a promotion's pull request: what moves (per service: version and images), which
/// gates passed, what the target would then plan, and the source's records of the release.
struct PromotionPullRequest {
    let source: String
    let target: String
    let sourceCommit: ObjectID
    let result: PromotionResult
    /// Each promoted service's images in the target after the promotion, by container.
    let images: [(service: String, images: [String: String])]
    let web: ForgeSettings

    var body: String {
        var lines = [
            "Promotes **\(source)**'s release to **\(target)**, from \(source) at \(commitLink(sourceCommit.hex)).", "",
            "### What moves", "", "| service | version | images |", "|---|---|---|",
        ]
        let versions = Dictionary(
            result.message.split(separator: "\n").compactMap { line -> (String, String)? in
                guard line.hasPrefix("Berth-Release: ") else { return nil }
                let pair = line.dropFirst("Berth-Release: ".count).split(separator: "=", maxSplits: 1)
                return pair.count == 2 ? (String(pair[0]), String(pair[1])) : nil
            }
        ) { first, _ in first }
        for (service, images) in images.sorted(by: { $0.service < $1.service }) {
            let list = images.sorted { $0.key < $1.key }.map { "`\($0.key)`: `\($0.value)`" }.joined(separator: "<br>")
            lines.append("| \(service) | \(versions[service] ?? "") | \(list) |")
        }
        lines += ["", "Release fields:"]
        lines += result.changes.map(\.markdownLine)
        lines += ["", "### Gates", ""]
        lines += result.gates.map { "- \($0.passed == true ? "✅" : $0.passed == false ? "❌" : "➖") \($0.text)" }
        if let plan = result.targetPlan {
            lines += [
                "", "What **\(target)** would plan once this is merged (what ECS runs now against this branch):", "", PlanMarkdown.render(plan),
            ]
        }
        lines += [
            "", "### \(source)'s records of this release", "", "| service | outcome | applied at | finished | task definition |",
            "|---|---|---|---|---|",
        ]
        for (commit, record) in result.sourceRecords.sorted(by: { $0.record.service < $1.record.service }) {
            let finished = record.finished?.formatted(.iso8601) ?? ""
            lines.append(
                "| \(record.service) | \(record.outcome.rawValue) | \(commitLink(commit.hex)) | \(finished) | `\(record.taskDefinitionArn)` |")
        }
        lines += ["", "Read them with `berth log --env \(source)` (or `git log --notes=berth`). Merging this pull request deploys \(target)."]
        return lines.joined(separator: "\n")
    }

    func commitLink(_ sha: String) -> String { web.commitLink(sha) }
}

extension ForgeSettings {
    /// A commit as a markdown link to the forge's page of it.
    func commitLink(_ sha: String) -> String {
        "[`\(ObjectID.short(sha))`](\(webURL)\(kind == .github ? "/commit/" : "/-/commit/")\(sha))"
    }
}
