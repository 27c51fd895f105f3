import Forge
import Foundation
import Git
import Manifests
import Plan
import Records

/// berth.yaml's `autoPromote:`: once the controller sees the source environment converge, the
/// release moves on by itself, through the same gates as `berth promote`: as a pull request on
/// the forge (updated, not duplicated, while the source moves on; merged through the forge's
/// API with `autoMerge` once every status on it passed), or as a commit on the followed branch.
/// Its commits carry `Berth-Trigger: auto-promote`, so the log says who moved the release.
package struct AutoPromoter: Sendable {
    package let repositoryPath: String
    package let manifestPath: String
    package let connector: TargetConnector
    package let environment: [String: String]

    package init(
        repositoryPath: String, manifestPath: String, connector: TargetConnector,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.repositoryPath = repositoryPath
        self.manifestPath = manifestPath
        self.connector = connector
        self.environment = environment
    }

    /// After `converged` converged: what was done, or nil when there was nothing to do.
    package func handle(converged: String) async throws -> String? {
        let opened = try BranchTip.open(repositoryPath, manifestPath: manifestPath, purpose: "promote")
        guard let auto = opened.loaded.config?.autoPromote, auto.from == converged else { return nil }
        var forge: (any Forge)?
        if auto.mode == .pullRequest { forge = makeForge(try ForgeSettings.resolve(opened.loaded.config?.forge, environment: environment)) }
        var request = PromotionRequest(
            from: auto.from, to: auto.to, push: auto.mode == .commit, forge: forge,
            extraTrailers: ["Berth-Trigger: auto-promote"])
        request.respectDeclined = true
        let promoter = Promoter(
            repositoryPath: repositoryPath, manifestPath: manifestPath, connector: connector,
            recorder: NotesRecorder(repositoryPath: repositoryPath))
        let result = try await promoter.promote(request)
        guard let commit = result.commit else {
            // Nothing to promote says nothing; a declined pull request says so once a pass.
            return result.changes.isEmpty && result.message.hasPrefix("pull request #") ? result.message : nil
        }
        guard let forge, let pull = result.pullRequest else {
            return
                "auto-promoted \(auto.from) -> \(auto.to): committed \(commit.short) on \(result.branch)\(result.pushed ? " and pushed it" : ""): \(result.subject)"
        }
        var done =
            "auto-promoted \(auto.from) -> \(auto.to): \(result.pullRequestOpened ? "opened" : "updated") pull request #\(pull.number) (\(pull.url))"
        if auto.autoMerge {
            // berth's own check of the target must be there and pass, and no other may fail or be running.
            let required = "berth/plan/\(auto.to)"
            let statuses = try await forge.statuses(of: commit.hex)
            if let failed = statuses.first(where: { $0.value == .failure })?.key {
                done += "; \(failed) failed, so it is not merged"
            } else if statuses[required] != .success {
                done += "; autoMerge waits for \(required)"
            } else if let running = statuses.first(where: { $0.value == .pending })?.key {
                done += "; autoMerge waits for \(running)"
            } else {
                try await forge.merge(pull.number, sha: commit.hex, method: auto.mergeMethod)
                done += "; \(statuses.keys.sorted().joined(separator: ", ")) passed, merged it"
            }
        }
        return done
    }

    /// The controller's promote step (the controller does not import promotion; the executable
    /// hands it this): `AutoPromoter` in the repository at the path given, on the controller's targets.
    package static func step(
        manifestPath: String, environment: [String: String] = ProcessInfo.processInfo.environment
    )
        -> @Sendable (String, String, TargetConnector) async throws -> String?
    {
        { converged, repositoryPath, connector in
            try await AutoPromoter(repositoryPath: repositoryPath, manifestPath: manifestPath, connector: connector, environment: environment)
                .handle(converged: converged)
        }
    }
}
