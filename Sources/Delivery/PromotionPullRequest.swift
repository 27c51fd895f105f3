import Forge
import Foundation
import Git
import Reconcile
import Records

/// The pull request of one promotion: its title, and a body that says what moves (per service:
/// version and images), which gates passed, what the target would then plan, and the source's
/// records of the release. A marker names the pair, so the next promotion of the same pair
/// updates this pull request instead of opening a second.
struct PromotionPullRequest {
    let pair: String
    let source: String
    let target: String
    let sourceCommit: ObjectID
    let result: PromotionResult
    /// Each promoted service's images in the target after the promotion, by container.
    let images: [(service: String, images: [String: String])]
    let web: ForgeSettings

    static func marker(_ pair: String) -> String { "<!-- berth:promotion \(pair) -->" }

    /// berth's branch for a pair when the user names none: one per pair, reused.
    static func defaultBranch(from source: String, to target: String) -> String { "berth/promote-\(source)-to-\(target)" }

    /// The open pull request into `base` that promotes `pair`, if any.
    static func find(on forge: any Forge, pair: String, base: String) async throws -> PullRequest? {
        try await forge.openPullRequests(into: base).first { $0.body.contains(marker(pair)) }
    }

    func draft(head: String, base: String, labels: [String]) -> PullRequestDraft {
        PullRequestDraft(title: String(result.message.split(separator: "\n").first ?? Substring(pair)), body: body, head: head, base: base,
                         labels: labels)
    }

    var body: String {
        var lines = [Self.marker(pair),
                     "Promotes **\(source)**'s release to **\(target)**, from \(source) at \(commitLink(sourceCommit.hex)).", "",
                     "### What moves", "", "| service | version | images |", "|---|---|---|"]
        let versions = Dictionary(result.message.split(separator: "\n").compactMap { line -> (String, String)? in
            guard line.hasPrefix("Berth-Release: ") else { return nil }
            let pair = line.dropFirst("Berth-Release: ".count).split(separator: "=", maxSplits: 1)
            return pair.count == 2 ? (String(pair[0]), String(pair[1])) : nil
        }) { first, _ in first }
        for (service, images) in images.sorted(by: { $0.service < $1.service }) {
            let list = images.sorted { $0.key < $1.key }.map { "`\($0.key)`: `\($0.value)`" }.joined(separator: "<br>")
            lines.append("| \(service) | \(versions[service] ?? "") | \(list) |")
        }
        lines += ["", "Release fields:"]
        lines += result.changes.map { "- `\($0.file)`: `\($0.field)` \($0.old ?? "(unset)") → \($0.new)" }
        lines += ["", "### Gates", ""]
        lines += result.gates.map { "- \($0.passed == true ? "✅" : $0.passed == false ? "❌" : "➖") \($0.text)" }
        if let plan = result.targetPlan {
            lines += ["", "What **\(target)** would plan once this is merged (what ECS runs now against this branch):", "", PlanPrinter.markdown(plan)]
        }
        lines += ["", "### \(source)'s records of this release", "", "| service | outcome | applied at | finished | task definition |", "|---|---|---|---|---|"]
        for (commit, record) in result.sourceRecords.sorted(by: { $0.record.service < $1.record.service }) {
            let finished = record.finished.map { ISO8601DateFormatter().string(from: $0) } ?? ""
            lines.append("| \(record.service) | \(record.outcome.rawValue) | \(commitLink(commit.hex)) | \(finished) | `\(record.taskDefinitionArn)` |")
        }
        lines += ["", "Read them with `berth log --env \(source)` (or `git log --notes=berth`). Merging this pull request deploys \(target)."]
        return lines.joined(separator: "\n")
    }

    func commitLink(_ sha: String) -> String {
        let path = web.kind == .github ? "/commit/" : "/-/commit/"
        return "[`\(sha.prefix(12))`](\(web.webURL)\(path)\(sha))"
    }
}
