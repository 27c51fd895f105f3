import Canonical
import ECS
import ECSModel
import Foundation
import Git
import Manifests
import Plan
import Records
import Trust

/// One commit that changed what an environment should run, with who, why and what happened.
package struct LogEntry: Codable, Sendable {
    package struct Person: Codable, Sendable {
        package let name: String
        package let email: String
        package let date: Date
    }

    package struct ServiceChange: Codable, Sendable {
        /// `added` (now runs here), `removed`, or `changed`.
        package let change: String
        package let service: String
        /// Changed fields: task definition paths, and `service.<field>` for service settings.
        package let fields: [String]
    }

    package let commit: String
    package let environment: String
    package let subject: String
    package let author: Person
    package let committer: Person
    /// `unsigned`, or `signed (ssh): verified, <signer>` / `signed (openpgp): not verified (<why>)`.
    package let signature: String
    package let trailers: [String: [String]]
    /// Whether berth could verify the `Berth-` trailers (nil when there are none).
    package var trailerCheck: TrailerVerification?
    /// Where this commit changed whether the environment's manifests validate: "does not
    /// validate: <errors>; …" (nothing of it is applied, and no service shows as changed), or
    /// "validates again: …" (its services compared with the last commit that validated).
    package var validity: String?
    package let services: [ServiceChange]
    /// berth's records of applying this commit to this environment.
    package var applied: [DeploymentRecord]
    /// For a change never applied at its own commit: the later commit whose deployment
    /// carried it (a merge commit, or a newer head the controller applied).
    package var deployedWith: String?
}

/// The deployment log, from git alone: commits whose rendered desired state differs from their
/// first parent's for an environment (so a change to a base file counts for every environment
/// it affects), newest first, joined with berth's notes and the commits' trailers.
package struct DeploymentLog {
    package let repositoryPath: String
    package let manifestPath: String

    package init(repositoryPath: String, manifestPath: String) {
        self.repositoryPath = repositoryPath
        self.manifestPath = manifestPath
    }

    package func entries(ref: String = "HEAD", environment: String? = nil, service: String? = nil, since: Date? = nil) throws -> [LogEntry] {
        var entries: [LogEntry] = []
        try forEachEntry(ref: ref, environment: environment, service: service, since: since) { entries.append($0) }
        return entries
    }

    /// The log, newest first, one entry at a time: nothing holds the whole history. Commits are
    /// loaded by what changed since the last one (`IncrementalLoader`), so the cost follows the
    /// changes to the environment, not the size of the repository times its history. `waiting`
    /// runs whenever the next entry is not found yet (a caller that buffers writes out then).
    package func forEachEntry(
        ref: String = "HEAD", environment: String? = nil, service: String? = nil, since: Date? = nil,
        waiting: () -> Void = {}, _ body: (LogEntry) throws -> Void
    ) throws {
        let repo = try Repository.discover(from: repositoryPath)
        let root = try ManifestPath.normalizedRoot(manifestPath)
        let tip = try repo.resolve(ref)
        let notes = Dictionary(try repo.notes().map { ($0.object, DeploymentNote.parse($0.text)) }, uniquingKeysWith: { first, _ in first })
        let reachable = notes.isEmpty ? [] : try repo.reachable(from: tip)
        // Commits berth applied an environment at although they changed nothing of it (the
        // controller's first pass at whatever the head was) are part of the log too: they join
        // the walk by date.
        let pending = try notes.filter { id, note in
            reachable.contains(id) && note?.environments.keys.contains { environment == nil || $0 == environment } == true
        }.keys.map { (id) throws -> Commit in try repo.commit(id) }.sorted { $0.committer.date > $1.committer.date }
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

        // Four stages on threads of their own: the walk, loading what it found, comparing each
        // state with its parent's, and here, finishing and showing the entries (signatures,
        // trailers, where a change was deployed).
        let walk = HandOff<WalkedCommit>()
        walk.start("berth-log-walk") { [repositoryPath, root, environment, pending] push, goingOn in
            let repo = try Repository.discover(from: repositoryPath)
            var keys = StateWindow(repo: repo, root: root, environment: environment)
            var pending = pending[...]
            var stopped: (any Error)?
            try repo.walkByDate(from: tip) { commit, parents in
                while let next = pending.first, Int64(next.committer.date.timeIntervalSince1970) > commit.time {
                    pending.removeFirst()
                    guard push(.init(commit: next)) else { return false }
                }
                // Commits that changed nothing the environment is rendered from (with one
                // named: those that touched only other environments) are passed over by tree
                // ids, without loading anything. The keys go along: the rendering needs them.
                do {
                    // A reader that stopped (its output closed) is not kept waiting for the rest.
                    guard try keys.changed(commit, parentTree: parents.first?.tree) else { return goingOn() }
                    var item = WalkedCommit(commit: try repo.commit(commit.id), keys: [(commit.id, try keys.known(commit.id))])
                    if let parent = parents.first { item.keys.append((parent.id, try keys.known(parent.id))) }
                    return push(item)
                } catch {
                    stopped = error
                    return false
                }
            }
            if let stopped { throw stopped }
            for commit in pending { guard push(.init(commit: commit)) else { return } }
        }
        let loading = HandOff<LoadedCommit>()
        loading.start("berth-log-load") { [repositoryPath, root, environment, since] push, goingOn in
            defer { walk.stop() }
            let repo = try Repository.discover(from: repositoryPath)
            var states = StateWindow(repo: repo, root: root, environment: environment)
            var seen = Set<ObjectID>()
            while let item = try walk.next(waiting: loading.flush) {
                for (id, known) in item.keys { states.know(id, known) }
                let commit = item.commit
                guard seen.insert(commit.id).inserted, since.map({ commit.committer.date >= $0 }) ?? true else {
                    guard goingOn() else { return }
                    continue
                }
                let parent = try commit.parents.first.flatMap { (id) throws -> ObjectID? in
                    try root.isEmpty || states.key(id) != StateWindow.noRoot ? id : nil
                }
                let now = try states.state(commit.id)
                var before = try parent.map { try states.state($0) }
                // An environment its parent left blocked and this commit does not is compared
                // with the last commit where it validated: what ran until this one.
                if let parent, let earlier = before,
                    case let again = Set(earlier.blocked.keys).subtracting(now.blocked.keys).intersection(now.environments)
                        .filter({ environment == nil || $0 == environment }),
                    !again.isEmpty
                {
                    before = try states.lastValid(earlier, of: parent, for: again)
                }
                guard push(LoadedCommit(commit: commit, before: before, now: now)) else { return }
            }
        }
        // The last stage checks trailers at up to `TrailerVerifier.budget` commits, the newest,
        // a few milliseconds each: its hand-off is deeper, so that the stages before it go on
        // through the history meanwhile instead of waiting for room (the peak did not move).
        let rendering = HandOff<RenderedCommit>(capacity: 4_096)
        rendering.start("berth-log-compare") { [environment, service, notes] push, goingOn in
            defer { loading.stop() }
            var comparer = StateComparer()
            while let loaded = try loading.next(waiting: rendering.flush) {
                let recordedHere = notes[loaded.commit.id]??.environments ?? [:]
                // A blocked environment runs what it ran: none of its services changed here.
                let now = loaded.now.blocked.keys.reduce(loaded.now) { $0.with($1, from: loaded.before) }
                let changed = comparer.changes(from: loaded.before, to: now)
                let validity = Self.validity(before: loaded.before, now: loaded.now)
                var made = RenderedCommit(commit: loaded.commit, trust: loaded.now.trust)
                for env in Set(changed.keys).union(recordedHere.keys).union(validity.keys).sorted() where environment == nil || env == environment {
                    let changes = (changed[env] ?? []).filter { service == nil || $0.service == service }
                    let applied = (recordedHere[env] ?? [:]).values.flatMap { $0 }
                        .filter { service == nil || $0.service == service }.sorted { ($0.service, $0.started) < ($1.service, $1.started) }
                    guard !changes.isEmpty || !applied.isEmpty || validity[env] != nil else { continue }
                    made.entries.append((env, changes, applied, validity[env], loaded.now.blocked[env] != nil))
                }
                // A stage that hands nothing on still asks whether the caller has stopped.
                guard made.entries.isEmpty ? goingOn() : push(made) else { return }
            }
        }
        // Every stage is told at once; each waits for the one before it to end.
        defer {
            walk.cancel()
            loading.cancel()
            rendering.stop()
        }
        var verifier = TrailerVerifier(repo: repo, root: root)
        while let made = try rendering.next(waiting: waiting) {
            let commit = made.commit
            let signature = try signatureStatus(commit, repo: repo, trust: made.trust)
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
            var check = verifier.verify(commit, signature: signature)
            for merged in carriers where check?.verified != false {
                let mergedSignature = try signatureStatus(merged, repo: repo, trust: made.trust)
                if let found = verifier.verify(merged, signature: mergedSignature) {
                    check = TrailerVerification(verified: found.verified, reason: "in merged \(merged.id.short): \(found.reason)")
                }
            }
            for (env, changes, applied, validity, blocked) in made.entries {
                var entry = LogEntry(
                    commit: commit.id.hex, environment: env, subject: commit.subject,
                    author: .init(name: commit.author.name, email: commit.author.email, date: commit.author.date),
                    committer: .init(name: commit.committer.name, email: commit.committer.email, date: commit.committer.date),
                    signature: signature, trailers: trailers, trailerCheck: check, validity: validity, services: changes, applied: applied)
                // A blocked commit changed nothing a later deployment could have carried.
                if !blocked, !applied.contains(where: { $0.outcome.deployed }) {
                    entry.deployedWith = try (deployments[env] ?? []).lazy.filter {
                        $0.committer.date >= commit.committer.date.addingTimeInterval(-86_400) && $0.id != commit.id
                    }
                    .prefix(100).first { (later) throws -> Bool in try repo.isAncestor(commit.id, of: later.id) }?.id.hex
                }
                try body(entry)
            }
        }
    }

    /// A commit to show, with the keys the walk made for it and its parent (`StateWindow`).
    struct WalkedCommit: Sendable {
        let commit: Commit
        var keys: [(id: ObjectID, known: StateWindow.Known)] = []
    }

    /// What an entry says of the environments whose validity `now` changed from `before`.
    static func validity(before: StateWindow.State?, now: StateWindow.State) -> [String: String] {
        var said: [String: String] = [:]
        for (env, errors) in now.blocked where before?.blocked[env] != errors {
            let still = before?.blocked[env] != nil ? "still " : ""
            said[env] = "\(still)does not validate: \(errors); nothing of it is applied"
        }
        for (env, standIn) in before?.standIns ?? [:] {
            switch standIn {
            case .validAt(let commit): said[env] = "validates again: compared with \(commit.short), the last commit before it that validated"
            case .never: said[env] = "validates for the first time: its services are compared with none"
            case .notFound:
                said[env] =
                    "validates again: it did not validate through the \(StateWindow.lookBack) changes before it, "
                    + "so its services are compared with none"
            }
        }
        return said
    }

    /// A commit's state and its parent's, as loaded.
    struct LoadedCommit: Sendable {
        let commit: Commit
        let before: StateWindow.State?
        let now: StateWindow.State
    }

    /// A commit's entries as the comparison made them, for the last stage to finish.
    struct RenderedCommit: Sendable {
        let commit: Commit
        let trust: SigningTrust?
        var entries: [(environment: String, services: [LogEntry.ServiceChange], applied: [DeploymentRecord], validity: String?, blocked: Bool)] = []
    }

    /// Why a log of `environment` may have shown nothing, when the reason is that `ref` has no
    /// such environment (a name mistyped, or the manifests in a folder `--path` did not name);
    /// nil when it has one. An environment removed since still has its history: this is only
    /// said next to an empty log.
    package func missingEnvironment(_ environment: String, ref: String = "HEAD") throws -> String? {
        let repo = try Repository.discover(from: repositoryPath)
        let root = try ManifestPath.normalizedRoot(manifestPath)
        let tip = try repo.resolve(ref)
        let folder = root.isEmpty ? "environments" : root + "/environments"
        guard let present = try repo.children(at: tip, of: folder) else {
            let top = try repo.children(at: tip, of: root)?.filter { $0.kind == .directory }.map(\.path) ?? []
            let holders = top.filter { (try? repo.entry(at: tip, path: $0 + "/environments"))?.kind == .directory }
            return "there is no \(folder) folder at \(ref)"
                + (holders.isEmpty ? "" : " (manifests are in \(holders.joined(separator: ", ")): pass --path \(holders[0]))")
        }
        let names = present.filter { $0.kind == .directory }.map { String($0.path.split(separator: "/").last ?? "") }
        guard !names.contains(environment) else { return nil }
        return "there is no environment '\(environment)' at \(ref)"
            + (names.isEmpty ? "" : " (environments: \(names.sorted().joined(separator: ", ")))")
    }

    /// `unsigned`, or `signed (ssh): verified, <signer>` / `signed (openpgp): not verified (<why>)`
    /// against the trust material berth.yaml names at that commit.
    func signatureStatus(_ commit: Commit, repo: Repository, trust: SigningTrust?) throws -> String {
        guard commit.signed, let signature = try repo.signature(of: commit.id) else { return "unsigned" }
        let kind = signature.format == .ssh ? "ssh" : signature.format == .openPGP ? "openpgp" : "x509"
        switch try CommitVerifier(trust: trust).verify(commit.id, in: repo) {
        case .valid(let signer): return "signed (\(kind)): verified, \(signer)"
        case .invalid(let why): return "signed (\(kind)): not verified (\(why))"
        case .unsigned: return "unsigned"
        }
    }
}
