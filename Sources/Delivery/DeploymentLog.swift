import Canonical
import ECS
import ECSModel
import Foundation
import Git
import Manifests
import Reconcile
import Records
import Trust

/// One commit that changed what an environment should run, with who, why and what happened.
public struct LogEntry: Codable, Sendable {
    public struct Person: Codable, Sendable {
        public let name: String
        public let email: String
        public let date: Date
    }

    public struct ServiceChange: Codable, Sendable {
        /// `added` (now runs here), `removed`, or `changed`.
        public let change: String
        public let service: String
        /// Changed fields: task definition paths, and `service.<field>` for service settings.
        public let fields: [String]
    }

    public let commit: String
    public let environment: String
    public let subject: String
    public let author: Person
    public let committer: Person
    /// `unsigned`, or `signed (ssh): verified, <signer>` / `signed (openpgp): not verified (<why>)`.
    public let signature: String
    public let trailers: [String: [String]]
    /// Whether berth could verify the `Berth-` trailers (nil when there are none).
    public var trailerCheck: TrailerVerification?
    public let services: [ServiceChange]
    /// berth's records of applying this commit to this environment.
    public var applied: [DeploymentRecord]
    /// For a change never applied at its own commit: the later commit whose deployment
    /// carried it (a merge commit, or a newer head the controller applied).
    public var deployedWith: String?
}

/// The deployment log, from git alone: commits whose rendered desired state differs from their
/// first parent's for an environment (so a change to a base file counts for every environment
/// it affects), newest first, joined with berth's notes and the commits' trailers.
public struct DeploymentLog {
    public let repositoryPath: String
    public let manifestPath: String

    public init(repositoryPath: String, manifestPath: String) {
        self.repositoryPath = repositoryPath
        self.manifestPath = manifestPath
    }

    struct ServiceState: Equatable {
        let specHash: String
        let settingsHash: String
        let taskDefinition: JSONValue
        let settings: JSONValue
    }

    public func entries(ref: String = "HEAD", environment: String? = nil, service: String? = nil, since: Date? = nil) throws -> [LogEntry] {
        let repo = try Repository.discover(from: repositoryPath)
        let root = try ManifestPath.normalizedRoot(manifestPath)
        let tip = try repo.resolve(ref)
        var commits = try repo.history(from: tip, paths: root.isEmpty ? [] : [root], mergesByFirstParent: true)
        let notes = Dictionary(try repo.notes().map { ($0.object, DeploymentNote.parse($0.text)) }, uniquingKeysWith: { first, _ in first })
        // Commits berth applied an environment at although they changed nothing under the root
        // (the controller's first pass at whatever the head was) are part of the log too.
        let listed = Set(commits.map(\.id))
        let reachable = try repo.reachable(from: tip)
        let applied = notes.filter { id, note in
            !listed.contains(id) && reachable.contains(id) && note?.environments.keys.contains { environment == nil || $0 == environment } == true
        }.keys
        if !applied.isEmpty {
            commits = (commits + (try applied.map { (id) throws -> Commit in try repo.commit(id) }))
                .sorted { $0.committer.date > $1.committer.date }
        }
        // Where each environment's deployments happened, oldest first: a change never applied at
        // its own commit was deployed with the first of them that contains it (looked for from a
        // day before it, for clocks that disagree and rebased commits).
        var deployments: [String: [Commit]] = [:]
        for (id, note) in notes {
            guard let note, reachable.contains(id), let commit = try? repo.commit(id) else { continue }
            for (env, services) in note.environments where services.values.contains(where: { $0.contains { $0.outcome.deployed } }) {
                deployments[env, default: []].append(commit)
            }
        }
        for env in deployments.keys { deployments[env]!.sort { $0.committer.date < $1.committer.date } }
        // Rendered states are cached by what they are rendered from: with an environment named,
        // the tree ids of everything under the root but the other environments' folders, so a
        // commit that touches only other environments is passed over without rendering anything.
        var states: [String: [String: [String: ServiceState]]] = [:]
        var trust: [String: SigningTrust?] = [:]
        var inputKeys: [ObjectID: String] = [:]
        func inputs(_ id: ObjectID) throws -> String {
            if let key = inputKeys[id] { return key }
            var key = id.hex
            if let environment, let top = try repo.children(at: id, of: root) {
                let folder = root.isEmpty ? "environments" : root + "/environments"
                let shared = top.filter { $0.path != folder }.map { "\($0.path)=\($0.id.hex)" }
                let own = try repo.entry(at: id, path: folder + "/" + environment)?.id.hex ?? "-"
                key = (shared + ["env=\(own)"]).joined(separator: ",")
            }
            inputKeys[id] = key
            return key
        }
        func state(_ id: ObjectID) throws -> [String: [String: ServiceState]] {
            let key = try inputs(id)
            if let cached = states[key] { return cached }
            let loaded = ManifestLoader().load(try ManifestFiles.read(repository: repo, commit: id, path: root))
            trust[key] = loaded.config?.signing
            var result: [String: [String: ServiceState]] = [:]
            for rendered in loaded.rendered {
                guard let desired = try? DesiredService(rendered) else { continue }
                result[rendered.environment, default: [:]][rendered.service] = ServiceState(
                    specHash: desired.specHash, settingsHash: desired.settingsHash,
                    taskDefinition: desired.canonicalTaskDefinition, settings: desired.canonicalSettings)
            }
            states[key] = result
            return result
        }

        var verifier = TrailerVerifier(repo: repo, root: root)
        var entries: [LogEntry] = []
        for commit in commits {
            if let since, commit.committer.date < since { continue }
            let parent = try commit.parents.first.flatMap { (id) throws -> ObjectID? in try repo.entry(at: id, path: root) != nil || root.isEmpty ? id : nil }
            let hasRecords = notes[commit.id]??.environments.keys.contains { environment == nil || $0 == environment } ?? false
            if let parent, !hasRecords, try inputs(parent) == inputs(commit.id) { continue }
            let now = try state(commit.id)
            let before = try parent.map(state) ?? [:]
            let signature = try signatureStatus(commit.id, repo: repo, trust: trust[try inputs(commit.id)] ?? nil)
            var trailers: [String: [String]] = [:]
            for trailer in commit.trailers { trailers[trailer.key, default: []].append(trailer.value) }
            // A merge carries the promotion its branch brought (GitHub's "Create a merge commit").
            let carriers = try repo.mergedCommits(of: commit).filter { $0.trailers.contains { $0.key.hasPrefix("Berth-") } }
            for merged in carriers {
                for trailer in merged.trailers where trailer.key.hasPrefix("Berth-") && !(trailers[trailer.key] ?? []).contains(trailer.value) {
                    trailers[trailer.key, default: []].append(trailer.value)
                }
            }
            // Verified once, and only for a commit the log shows: the merge's own trailers, or
            // where the merged commits carrying them were made.
            var checked: TrailerVerification??
            func trailerCheck() throws -> TrailerVerification? {
                if let checked { return checked }
                var check = verifier.verify(commit, signature: signature)
                for merged in carriers where check?.verified != false {
                    let mergedSignature = try signatureStatus(merged.id, repo: repo, trust: trust[try inputs(commit.id)] ?? nil)
                    if let found = verifier.verify(merged, signature: mergedSignature) {
                        check = TrailerVerification(verified: found.verified, reason: "in merged \(merged.id.short): \(found.reason)")
                    }
                }
                checked = .some(check)
                return check
            }
            let recordedHere = notes[commit.id]??.environments ?? [:]
            for env in Set(now.keys).union(before.keys).union(recordedHere.keys).sorted() where environment == nil || env == environment {
                let changes = Self.changes(before[env] ?? [:], now[env] ?? [:]).filter { service == nil || $0.service == service }
                let applied = (recordedHere[env] ?? [:]).values.flatMap { $0 }
                    .filter { service == nil || $0.service == service }.sorted { ($0.service, $0.started) < ($1.service, $1.started) }
                guard !changes.isEmpty || !applied.isEmpty else { continue }
                var entry = LogEntry(
                    commit: commit.id.hex, environment: env, subject: commit.subject,
                    author: .init(name: commit.author.name, email: commit.author.email, date: commit.author.date),
                    committer: .init(name: commit.committer.name, email: commit.committer.email, date: commit.committer.date),
                    signature: signature, trailers: trailers, trailerCheck: try trailerCheck(), services: changes, applied: applied)
                if !applied.contains(where: { $0.outcome.deployed }) {
                    entry.deployedWith = try (deployments[env] ?? []).lazy.filter { $0.committer.date >= commit.committer.date.addingTimeInterval(-86_400) && $0.id != commit.id }
                        .prefix(100).first { (later) throws -> Bool in try repo.isAncestor(commit.id, of: later.id) }?.id.hex
                }
                entries.append(entry)
            }
        }
        return entries
    }

    /// `unsigned`, or `signed (ssh): verified, <signer>` / `signed (openpgp): not verified (<why>)`
    /// against the trust material berth.yaml names at that commit.
    func signatureStatus(_ commit: ObjectID, repo: Repository, trust: SigningTrust?) throws -> String {
        guard let signature = try repo.signature(of: commit) else { return "unsigned" }
        let kind = signature.format == .ssh ? "ssh" : signature.format == .openPGP ? "openpgp" : "x509"
        switch try CommitVerifier(trust: trust).verify(commit, in: repo) {
        case .valid(let signer): return "signed (\(kind)): verified, \(signer)"
        case .invalid(let why): return "signed (\(kind)): not verified (\(why))"
        case .unsigned: return "unsigned"
        }
    }

    static func changes(_ before: [String: ServiceState], _ after: [String: ServiceState]) -> [LogEntry.ServiceChange] {
        Set(before.keys).union(after.keys).sorted().compactMap { name in
            switch (before[name], after[name]) {
            case (nil, _?): return .init(change: "added", service: name, fields: [])
            case (_?, nil): return .init(change: "removed", service: name, fields: [])
            case (let old?, let new?) where old != new:
                let fields = FieldDiff.full(live: old.taskDefinition, desired: new.taskDefinition).map(\.path)
                    + FieldDiff.full(live: old.settings, desired: new.settings).map { "service.\($0.path)" }
                return .init(change: "changed", service: name, fields: fields)
            default: return nil
            }
        }
    }
}
