import ECSModel
import ECS
import Forge
import Foundation
import Git
import Manifests
import Notify
import Plan
import Reconcile
import Records

/// Moves a release from one environment to the next as one commit: the target's `release:`
/// values and its overlays' `images:` pins, edited in place so every other line stays as
/// written. Gated on the source having converged on that release, the images existing in the
/// target's registry, and the target not being frozen.
package struct Promoter: Sendable {
    package let repositoryPath: String
    package let manifestPath: String
    package let connector: TargetConnector
    package let recorder: NotesRecorder

    package init(repositoryPath: String, manifestPath: String, connector: TargetConnector, recorder: NotesRecorder) {
        self.repositoryPath = repositoryPath
        self.manifestPath = manifestPath
        self.connector = connector
        self.recorder = recorder
    }

    package func promote(_ request: PromotionRequest, dryRun: Bool = false) async throws -> PromotionResult {
        let opened = try BranchTip.open(repositoryPath, manifestPath: manifestPath, purpose: "promote")
        let (repo, baseBranch, tip) = (opened.repo, opened.branch, opened.tip)
        var (files, loaded) = (opened.files, opened.loaded)
        let (source, target) = try environments(request, loaded)
        if let freeze = target.freeze, freeze.isActive() {
            throw PromotionError("\(target.name) is \(freeze.description); nothing is promoted", code: .refused)
        }
        let services = try chosenServices(request, source: source, target: target)

        // The whole release moves with `release:`; images that still differ (or all of them,
        // for chosen services) are pinned in the target's overlays.
        var mover = ReleaseMover(files: files)
        if request.services.isEmpty { try mover.setRelease(source.release, in: target) }
        let wanted = loaded.images(environment: source.name)
        try mover.pinImages(wanted, services: services, in: target.name)
        files = mover.files
        loaded = mover.loaded
        let edits = mover.edits
        let changes = mover.changes
        guard !changes.isEmpty else {
            return PromotionResult(
                commit: nil, branch: request.branch ?? baseBranch, baseBranch: baseBranch, changes: [],
                message: "nothing to promote: \(target.name) already runs \(source.name)'s release", pushed: false)
        }
        if loaded.blockedEnvironments.contains(target.name) {
            let errors = loaded.diagnostics.errors.map(\.description).joined(separator: "\n")
            throw PromotionError("after promotion \(target.name) would not validate:\n\(errors)", code: .invalidManifests)
        }

        let records = try await checkConverged(source: source, services: services, loaded: loaded)
        try await checkRunning(source: source, services: services, loaded: opened.loaded)
        let registry = try await checkImagesExist(target: target, services: services, rendered: loaded.rendered(environment: target.name))
        let message = Self.message(
            request, source: source, target: target, tip: tip, services: services,
            rendered: loaded.rendered(environment: target.name), changes: changes)
        let gates = [
            PromotionGate(passed: true, "\(source.name) converged on this release (berth's records: \(services.joined(separator: ", ")))"),
            PromotionGate(passed: true, "\(source.name) runs it now, settled (ECS)"),
            registry
                ? PromotionGate(passed: true, "every image is in \(target.name)'s registry (ECR)")
                : PromotionGate(passed: nil, "images: \(target.name)'s target has no registry to check"),
            PromotionGate(passed: true, "\(target.name) is not frozen"),
        ]
        var result = PromotionResult(
            commit: nil, branch: request.branch ?? baseBranch, baseBranch: baseBranch, changes: changes,
            message: message, pushed: false)
        (result.gates, result.sourceRecords) = (gates, records)
        if dryRun || request.forge != nil {
            // What the target would then plan, from the promoted manifests held in memory.
            result.targetPlan = try await Reconciler(manifests: loaded, connector: connector, recorder: recorder).plan(target.name)
        }
        if dryRun { return result }

        // A pull request goes on the open one's branch for this pair, else on --branch or
        // berth's own; berth replaces a branch only when it holds nothing but its promotions.
        var branch = request.branch
        let key = ReleaseBranchKey.promotion(from: source.name, to: target.name)
        if let forge = request.forge {
            // Someone closed this very promotion (same release, same title): not opened again
            // until the release changes. Only for the controller's own promotions.
            if request.respectDeclined, let closed = try await key.declined(on: forge, base: baseBranch, title: Self.subject(message)) {
                return PromotionResult(
                    commit: nil, branch: closed.headBranch, baseBranch: baseBranch, changes: [],
                    message: "pull request #\(closed.number) for this promotion was closed without merging; not opened again", pushed: false)
            }
            branch = try await key.branch(on: forge, base: baseBranch, requested: request.branch)
        }
        let (commit, branchName) = try ReleaseCommitter.commit(
            edits, files: files, repo: repo, tip: tip, baseBranch: baseBranch, branch: branch, push: request.push || request.forge != nil,
            remote: request.remote, message: message, replacing: request.forge != nil ? key : nil)
        let author = try? repo.commit(commit).author
        await Notifier(environment: connector.environment).send(
            NotificationEvent(
                event: "promoted", environment: target.name, commit: commit.hex, author: author.map { "\($0.name) <\($0.email)>" },
                reason: Self.subject(message),
                services: services.map { .init(service: $0, outcome: "promoted") }, links: ["branch": branchName]), to: target.notifications)
        var plan = result.targetPlan
        plan?.commit = commit.hex
        result = PromotionResult(
            commit: commit, branch: branchName, baseBranch: baseBranch, changes: changes, message: message,
            pushed: request.push || request.forge != nil, targetPlan: plan, gates: gates, sourceRecords: records)
        if let forge = request.forge {
            let body = PromotionPullRequest(
                source: source.name, target: target.name, sourceCommit: tip, result: result,
                images: loaded.rendered(environment: target.name).filter { services.contains($0.service) }
                    .map { ($0.service, $0.images) }, web: forge.settings
            ).body
            (result.pullRequest, result.pullRequestOpened) = try await key.publish(result, body: body, on: forge)
        }
        return result
    }

    // MARK: Steps

    func environments(_ request: PromotionRequest, _ loaded: LoadedManifests) throws -> (Environment, Environment) {
        for name in [request.from, request.to] {
            guard loaded.environmentNames.contains(name) else {
                throw PromotionError(
                    "no environment '\(name)' (environments: \(loaded.environmentNames.joined(separator: ", ")))", code: .unknownEnvironment)
            }
            guard !loaded.blockedEnvironments.contains(name), loaded.environment(name) != nil else {
                throw PromotionError("environment '\(name)' has errors in its manifests; run `berth validate`", code: .invalidManifests)
            }
        }
        if let order = loaded.config?.promotion, let from = order.firstIndex(of: request.from), let to = order.firstIndex(of: request.to), to < from {
            throw PromotionError("\(request.to) comes before \(request.from) in berth.yaml's promotion order", code: .invalidArgument)
        }
        return (loaded.environment(request.from)!, loaded.environment(request.to)!)
    }

    func chosenServices(_ request: PromotionRequest, source: Environment, target: Environment) throws -> [String] {
        guard !request.services.isEmpty else { return target.services.filter(source.services.contains) }
        for service in request.services where !(source.services.contains(service) && target.services.contains(service)) {
            throw PromotionError("service '\(service)' does not run in both \(source.name) and \(target.name)", code: .invalidArgument)
        }
        return request.services
    }

    /// The last converged apply of each service in the source must be of exactly what is promoted.
    /// Returns those records, for the pull request's links.
    func checkConverged(
        source: Environment, services: [String], loaded: LoadedManifests
    ) async throws -> [(commit: ObjectID, record: DeploymentRecord)] {
        let records = try await recorder.allRecords().filter { $0.record.environment == source.name && $0.record.outcome.deployed }
        var problems: [String] = []
        var converged: [(commit: ObjectID, record: DeploymentRecord)] = []
        for rendered in loaded.rendered(environment: source.name) where services.contains(rendered.service) {
            let want = try DesiredService(rendered)
            let latest = records.filter { $0.record.service == rendered.service && $0.record.specHash == want.specHash }
                .max { ($0.record.finished ?? $0.record.started) < ($1.record.finished ?? $1.record.started) }
            switch latest?.record.outcome {
            case .converged?: converged.append(latest!)
            case let outcome?: problems.append("\(rendered.service): its last apply in \(source.name) \(outcome.rawValue)")
            case nil: problems.append("\(rendered.service): this release was never applied in \(source.name)")
            }
        }
        if !problems.isEmpty {
            throw PromotionError(
                "\(source.name) has not converged on this release, so it is not promoted:\n  " + problems.joined(separator: "\n  "),
                code: .notConverged)
        }
        return converged
    }

    /// Records say what converged; ECS says what runs now. A release is promoted only when the
    /// source still runs it, settled: rolled back, changed by hand or mid-rollout, it is not.
    func checkRunning(source: Environment, services: [String], loaded: LoadedManifests) async throws {
        let plan = try await Reconciler(manifests: loaded, connector: connector, recorder: recorder).plan(source.name)
        var problems: [String] = []
        for service in plan.services where services.contains(service.service) {
            if service.action == .create {
                problems.append("\(service.service): does not run in \(source.name)")
            } else if service.action == .update {
                let fields = service.taskDefinitionChanges.map(\.path) + service.settingsChanges.map { "service." + $0.path }
                problems.append(
                    "\(service.service): what runs in \(source.name) differs from this release ("
                        + fields.prefix(4).joined(separator: ", ") + (fields.count > 4 ? ", …" : "") + ")")
            } else if let state = service.live?.rolloutState, state != ECSStatus.completed {
                problems.append("\(service.service): its deployment in \(source.name) is \(state)")
            }
        }
        if !problems.isEmpty {
            throw PromotionError(
                "\(source.name)'s records say converged, but ECS shows otherwise, so it is not promoted:\n  "
                    + problems.joined(separator: "\n  "), code: .notConverged)
        }
    }

    /// On AWS, every promoted ECR image must exist in the target's registry. False when the
    /// target has no registry to ask (the local target).
    func checkImagesExist(target: Environment, services: [String], rendered: [RenderedService]) async throws -> Bool {
        guard let ecr = await connector.ecr(for: target.target) else { return false }
        var missing: [String] = []
        for service in rendered where services.contains(service.service) {
            for image in service.images.values.sorted() {
                guard let reference = ECRImage(image) else { continue }
                let exists = try await ecr.imageExists(
                    repository: reference.repository, tag: reference.tag, digest: reference.digest,
                    registryId: reference.registry)
                if !exists { missing.append(image) }
            }
        }
        if !missing.isEmpty {
            throw PromotionError("not in \(target.name)'s registry, so not promoted: \(missing.joined(separator: ", "))", code: .notInRegistry)
        }
        return true
    }

    // MARK: Helpers

    static func subject(_ message: String) -> String { String(message.split(separator: "\n").first ?? "") }

    static func message(
        _ request: PromotionRequest, source: Environment, target: Environment, tip: ObjectID, services: [String],
        rendered: [RenderedService], changes: [PromotionChange]
    ) -> String {
        let versions = services.compactMap { service -> (String, String)? in
            guard let r = rendered.first(where: { $0.service == service }) else { return nil }
            let images = r.images
            let main = images[r.taskDefinition["containerDefinitions"]?.items?.first?["name"]?.string ?? ""] ?? images.values.sorted().first ?? ""
            let version = main.split(separator: "@").first.flatMap { $0.split(separator: "/").last?.split(separator: ":").dropFirst().first }
            return (service, version.map(String.init) ?? source.release["version"] ?? "?")
        }
        let subject = request.message ?? "promote \(source.name) -> \(target.name): " + versions.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        let body = changes.map(\.messageLine).joined(separator: "\n")
        let trailers =
            ["Berth-Promotion: \(source.name) -> \(target.name)", "Berth-Source-Commit: \(tip.hex)"]
            + versions.map { "Berth-Release: \($0.0)=\($0.1)" } + request.extraTrailers
        return subject + "\n\n" + body + "\n\n" + trailers.joined(separator: "\n") + "\n"
    }
}

/// `<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag][@digest]`.
struct ECRImage {
    let registry: String
    let repository: String
    let tag: String?
    let digest: String?

    init?(_ image: String) {
        guard let slash = image.firstIndex(of: "/") else { return nil }
        let host = image[..<slash]
        guard host.contains(".dkr.ecr."), let account = host.split(separator: ".").first else { return nil }
        var rest = image[image.index(after: slash)...]
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        } else {
            digest = nil
        }
        if let colon = rest.lastIndex(of: ":") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        } else {
            tag = nil
        }
        registry = String(account)
        repository = String(rest)
    }
}
