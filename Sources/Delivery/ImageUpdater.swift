import ECS
import Forge
import Foundation
import Git
import Manifests
import Plan

/// One container's image moved to a newer registry tag.
package struct ImageUpdate: Sendable, Equatable {
    package let service: String
    package let container: String
    package let old: String?
    package let new: String
}

/// berth.yaml's `images:`: lists each policy's ECR repository and, where a newer allowed tag
/// exists than the first environment of the promotion order runs, pins it in that
/// environment's overlay, as a commit on the branch (`mode: commit`) or a pull request. From
/// there the release moves on as any other: by promotion. Idempotent: once the newest tag is
/// pinned there is nothing to do; a tag older than the pin never replaces it.
package struct ImageUpdater: Sendable {
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

    package struct Outcome: Sendable {
        package var updates: [ImageUpdate] = []
        /// Why a policy changed nothing, where that is not "already at the newest": no tag
        /// matched, or a pin the policy would not move.
        package var notes: [String] = []
        /// The commits made, one per mode that had updates.
        package var commits: [PromotionResult] = []
    }

    /// Finds the updates and, unless `dryRun`, commits them (pushed with `push`; a pull request
    /// is always pushed).
    package func update(push: Bool, dryRun: Bool = false) async throws -> Outcome {
        var outcome = Outcome()
        for mode in ImagePolicy.Mode.allCases {
            let opened = try BranchTip.open(repositoryPath, manifestPath: manifestPath, purpose: "update images")
            guard let config = opened.loaded.config else { return outcome }
            let policies = config.images.filter { $0.mode == mode }
            guard !policies.isEmpty, let target = config.promotion.first else { continue }
            guard opened.loaded.environment(target) != nil, !opened.loaded.blockedEnvironments.contains(target) else {
                throw PromotionError("\(target), where image updates go, has errors in its manifests; run `berth validate`", code: .invalidManifests)
            }
            let (updates, notes) = try await findUpdates(policies, rendered: opened.loaded.rendered(environment: target), environment: target)
            outcome.updates += updates
            outcome.notes += notes
            guard !updates.isEmpty, !dryRun else { continue }
            outcome.commits.append(try await commit(updates, mode: mode, in: target, opened: opened, config: config, push: push))
        }
        return outcome
    }

    func findUpdates(_ policies: [ImagePolicy], rendered: [RenderedService], environment: String) async throws -> ([ImageUpdate], [String]) {
        var tagsByRepository: [String: [(tag: String, pushed: Date?)]] = [:]
        var updates: [ImageUpdate] = []
        var notes: [String] = []
        for policy in policies {
            guard let registry = policy.registry else { continue }
            guard let service = rendered.first(where: { $0.service == policy.service }) else {
                throw PromotionError("images: \(policy.service) does not run in \(environment)", code: .invalidManifests)
            }
            let containers =
                policy.container.map { [$0] } ?? service.images.filter { ImageReference($0.value).repository == policy.repository }.keys.sorted()
            if containers.isEmpty {
                throw PromotionError("images: no container of \(policy.service) in \(environment) runs \(policy.repository)", code: .invalidManifests)
            }
            for container in containers where service.images[container] == nil {
                throw PromotionError("images: \(policy.service) has no container \(container) in \(environment)", code: .invalidManifests)
            }
            if tagsByRepository[policy.repository] == nil {
                tagsByRepository[policy.repository] = try await connector.ecr(region: registry.region)
                    .taggedImages(repository: registry.name, registryId: registry.account)
            }
            let tags = tagsByRepository[policy.repository] ?? []
            guard let newest = policy.newest(tags) else {
                notes.append("\(policy.service): no tag of \(policy.repository) (\(tags.count) tagged) matches its policy")
                continue
            }
            for container in containers {
                let current = service.images[container]
                let currentTag = current.flatMap { ImageReference($0).tag }
                let sameRepository = current.map { ImageReference($0).repository == policy.repository } ?? false
                guard !sameRepository || currentTag == nil || (currentTag != newest && policy.isNewer(newest, than: currentTag!, among: tags)) else {
                    if let currentTag, currentTag != newest {
                        notes.append(
                            "\(policy.service)/\(container): pinned at \(currentTag), which its policy would not move to \(newest); left as it is")
                    }
                    continue
                }
                updates.append(ImageUpdate(service: policy.service, container: container, old: current, new: policy.repository + ":" + newest))
            }
        }
        return (updates, notes)
    }

    func commit(
        _ updates: [ImageUpdate], mode: ImagePolicy.Mode, in target: String, opened: BranchTip, config: BerthConfig,
        push: Bool
    ) async throws -> PromotionResult {
        var mover = ReleaseMover(files: opened.files)
        var wanted: [String: [String: String]] = [:]
        for update in updates { wanted[update.service, default: [:]][update.container] = update.new }
        try mover.pinImages(wanted, services: wanted.keys.sorted(), in: target)
        guard !mover.loaded.blockedEnvironments.contains(target) else {
            throw PromotionError(
                "after the image update \(target) would not validate:\n"
                    + mover.loaded.diagnostics.errors.map(\.description).joined(separator: "\n"), code: .invalidManifests)
        }
        let key = ReleaseBranchKey(trailer: "Berth-Image-Updates", value: target, defaultBranch: "berth/images-\(target)")
        let subject =
            "update images in \(target): "
            + updates.map { "\($0.service) \($0.container) \(ImageReference($0.new).tag ?? $0.new)" }
            .joined(separator: ", ")
        let message =
            subject + "\n\n" + mover.changes.map(\.messageLine).joined(separator: "\n")
            + "\n\n" + updates.map { "Berth-Image-Update: \($0.service)/\($0.container) \($0.old ?? "(unset)") -> \($0.new)" }.joined(separator: "\n")
            + "\n\(key.trailer): \(key.value)\nBerth-Trigger: image-update\n"
        var forge: (any Forge)?
        var branch: String?
        if mode == .pullRequest {
            forge = makeForge(try ForgeSettings.resolve(config.forge, environment: environment))
            branch = try await key.branch(on: forge!, base: opened.branch, requested: nil)
        }
        let (commit, name) = try ReleaseCommitter.commit(
            mover.edits, files: mover.files, repo: opened.repo, tip: opened.tip, baseBranch: opened.branch,
            branch: branch, push: push || forge != nil, remote: "origin", message: message,
            replacing: forge != nil ? key : nil)
        var result = PromotionResult(
            commit: commit, branch: name, baseBranch: opened.branch, changes: mover.changes, message: message,
            pushed: push || forge != nil)
        if let forge {
            let body =
                "Newer images allowed by berth.yaml's `images:` policies, pinned in **\(target)**, the first environment "
                + "of the promotion order:\n\n| service | container | from | to |\n|---|---|---|---|\n"
                + updates.map { "| \($0.service) | \($0.container) | `\($0.old ?? "(unset)")` | `\($0.new)` |" }.joined(separator: "\n")
                + "\n\nMerging this pull request deploys \(target); promotion moves it on from there."
            (result.pullRequest, result.pullRequestOpened) = try await key.publish(result, body: body, on: forge)
        }
        return result
    }
}

extension ImageUpdater {
    /// What an outcome says, a line per commit.
    package static func lines(_ outcome: Outcome) -> [String] {
        outcome.commits.map { result in
            let where_ = result.pullRequest.map { " in pull request #\($0.number) (\($0.url))" } ?? (result.pushed ? ", pushed" : "")
            return "\(result.subject): committed \(result.commit?.short ?? "") on \(result.branch)\(where_)"
        }
    }

    /// The controller's image step (the executable hands it this): updates in the repository at
    /// the path given, pushed to its origin.
    package static func step(
        manifestPath: String, environment: [String: String] = ProcessInfo.processInfo.environment
    )
        -> @Sendable (String, TargetConnector) async throws -> [String]
    {
        { repositoryPath, connector in
            lines(
                try await ImageUpdater(repositoryPath: repositoryPath, manifestPath: manifestPath, connector: connector, environment: environment)
                    .update(push: true))
        }
    }
}
