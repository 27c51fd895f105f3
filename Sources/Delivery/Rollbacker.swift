import Forge
import Foundation
import Git
import Manifests
import Records

/// `berth rollback`: a commit that restores the release an environment ran at an earlier
/// commit (by default the last one before the current release whose apply converged). Git
/// keeps describing what runs: a rollback is a change like any other, reviewed and logged.
package struct Rollbacker: Sendable {
    package let repositoryPath: String
    package let manifestPath: String
    package let recorder: NotesRecorder

    package init(repositoryPath: String, manifestPath: String, recorder: NotesRecorder) {
        self.repositoryPath = repositoryPath
        self.manifestPath = manifestPath
        self.recorder = recorder
    }

    /// With `forge`, the commit goes on a branch and a pull request (one per environment: the
    /// open one is updated) instead of the current branch.
    package func rollback(
        environment name: String, to revision: String? = nil, branch: String? = nil, push: Bool = false,
        remote: String = "origin", forge: (any Forge)? = nil
    ) async throws -> PromotionResult {
        let opened = try BranchTip.open(repositoryPath, manifestPath: manifestPath, purpose: "roll back")
        let (repo, baseBranch, tip, files, loaded) = (opened.repo, opened.branch, opened.tip, opened.files, opened.loaded)
        guard let environment = loaded.environment(name), !loaded.blockedEnvironments.contains(name) else {
            throw PromotionError("environment '\(name)' is missing or has errors in its manifests; run `berth validate`", code: .invalidManifests)
        }

        let converged = try await convergedCommits(name, repo: repo, from: tip)
        let restore: ObjectID
        if let revision {
            restore = try repo.resolve(revision)
            guard converged.contains(restore) else {
                throw PromotionError(
                    "\(restore.short) never converged in \(name) (no converged apply in berth's notes); choose another --to", code: .invalidArgument)
            }
        } else {
            // The newest converged release that differs from what the branch asks for now: the
            // one before it when the current release converged, the one still running when it failed.
            let currentState = try release(at: tip, environment: name, repo: repo)
            guard let earlier = try converged.first(where: { try release(at: $0, environment: name, repo: repo) != currentState }) else {
                throw PromotionError("\(name) has no converged release other than the current one to go back to", code: .notConverged)
            }
            restore = earlier
        }

        let (wantedRelease, wantedImages) = try release(at: restore, environment: name, repo: repo)
        var mover = ReleaseMover(files: files)
        try mover.setRelease(wantedRelease, in: environment)
        let services = environment.services.filter { wantedImages[$0] != nil }
        try mover.pinImages(wantedImages, services: services, in: name)
        guard !mover.changes.isEmpty else {
            return PromotionResult(
                commit: nil, branch: branch ?? baseBranch, baseBranch: baseBranch, changes: [],
                message: "nothing to roll back: \(name) already has the release of \(restore.short)", pushed: false)
        }
        guard !mover.loaded.blockedEnvironments.contains(name) else {
            throw PromotionError("after the rollback \(name) would not validate; run `berth validate`", code: .invalidManifests)
        }
        let versions = services.map { service -> String in
            let image = wantedImages[service]?.sorted { $0.key < $1.key }.first?.value ?? ""
            return "\(service) \(image.split(separator: ":").last.map(String.init) ?? "?")"
        }
        let message =
            "rollback \(name) to \(restore.short): \(versions.joined(separator: ", "))\n\n"
            + mover.changes.map(\.messageLine).joined(separator: "\n")
            + "\n\nBerth-Rollback: \(name)\nBerth-Restores: \(restore.hex)\n"
        let key = ReleaseBranchKey.rollback(name)
        var chosen = branch
        if let forge { chosen = try await key.branch(on: forge, base: baseBranch, requested: branch) }
        let (commit, target) = try ReleaseCommitter.commit(
            mover.edits, files: mover.files, repo: repo, tip: tip, baseBranch: baseBranch,
            branch: chosen, push: push || forge != nil, remote: remote, message: message,
            replacing: forge != nil ? key : nil)
        var result = PromotionResult(
            commit: commit, branch: target, baseBranch: baseBranch, changes: mover.changes, message: message,
            pushed: push || forge != nil)
        if let forge {
            let records = try await recorder.allRecords().filter {
                $0.commit == restore && $0.record.environment == name && $0.record.outcome.deployed
            }
            (result.pullRequest, result.pullRequestOpened) = try await key.publish(
                result,
                body: Self.body(
                    name, restore: restore, result: result,
                    records: records, web: forge.settings), on: forge)
        }
        return result
    }

    /// The rollback pull request's body: what it restores, what changes, and the records that
    /// say the restored release converged.
    static func body(
        _ name: String, restore: ObjectID, result: PromotionResult, records: [(commit: ObjectID, record: DeploymentRecord)],
        web: ForgeSettings
    ) -> String {
        var lines = [
            "Rolls **\(name)** back to the release it ran at \(web.commitLink(restore.hex)), which converged there.", "",
            "### What moves", "",
        ]
        lines += result.changes.map(\.markdownLine)
        lines += ["", "### \(name)'s records of the restored release", "", "| service | outcome | finished | task definition |", "|---|---|---|---|"]
        for (_, record) in records.sorted(by: { ($0.record.service, $0.record.started) < ($1.record.service, $1.record.started) }) {
            lines.append(
                "| \(record.service) | \(record.outcome.rawValue) | \(record.finished?.formatted(.iso8601) ?? "") "
                    + "| `\(record.taskDefinitionArn)` |")
        }
        lines += ["", "Merging this pull request deploys \(name); applying it reuses the restored task definition revisions."]
        return lines.joined(separator: "\n")
    }

    /// Commits of the history whose latest apply to `environment` converged for every service, newest first.
    func convergedCommits(_ environment: String, repo: Repository, from tip: ObjectID) async throws -> [ObjectID] {
        var latest: [ObjectID: [String: DeploymentRecord]] = [:]
        for (commit, record) in try await recorder.allRecords() where record.environment == environment && record.outcome.deployed {
            if let known = latest[commit]?[record.service], known.started > record.started { continue }
            latest[commit, default: [:]][record.service] = record
        }
        let good = Set(latest.filter { !$0.value.isEmpty && $0.value.values.allSatisfy { $0.outcome == .converged } }.keys)
        return try repo.history(from: tip).map(\.id).filter(good.contains)
    }

    /// The environment's release values and each service's images at `commit`.
    func release(at commit: ObjectID, environment: String, repo: Repository) throws -> ([String: String], [String: [String: String]]) {
        let loaded = ManifestLoader().load(try ManifestFiles.read(repository: repo, commit: commit, path: manifestPath))
        let images = loaded.images(environment: environment)
        return (loaded.environment(environment)?.release ?? [:], images)
    }
}
