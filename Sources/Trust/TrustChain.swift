import Foundation
import Git
import Manifests

/// Judges a commit for an environment with the signing policy and signers in force at the
/// last commit berth accepted for it, never with the commit's own: a commit that turns
/// `requireSignedCommits` off, adds its own key to the allowed signers, or points them at
/// another file is judged by the trust it tries to change. Trust moves forward only through a
/// commit that changes it and is signed by a key trusted before it, as a key rotation does.
package struct TrustChain {
    /// What judges commits at one point of the history.
    package struct InForce: Equatable {
        package let requireSigned: Bool
        package let signing: SigningTrust?
        /// The commit whose files say so.
        package let commit: ObjectID

        package init(requireSigned: Bool, signing: SigningTrust?, commit: ObjectID) {
            self.requireSigned = requireSigned
            self.signing = signing
            self.commit = commit
        }
    }

    package let repositoryPath: String
    /// The manifest root in the repository ("" or "manifests/").
    package let root: String

    package init(repositoryPath: String, root: String) {
        self.repositoryPath = repositoryPath
        self.root = root
    }

    /// Why `candidate` may not be applied to `environment`, nil when it may. `own` is what the
    /// candidate's files say (the caller has them loaded). `anchor` is the last commit accepted
    /// for it; without one (first use), the candidate's own files judge.
    package func refusal(of candidate: ObjectID, environment: String, anchor: ObjectID?, own: InForce) throws -> String? {
        let repo = try Repository.discover(from: repositoryPath)
        var inForce = own
        var changesTrust = false
        // Where the anchor's trust files are the candidate's, the anchor's trust is the candidate's
        // own, and nothing in between needs reading: the common case costs a few tree lookups.
        if let anchor, anchor != candidate,
            try trustKey(anchor, environment: environment, repo: repo)
                != trustKey(candidate, environment: environment, repo: repo)
        {
            inForce = try trust(at: anchor, environment: environment, repo: repo)
        }
        if let anchor, inForce.commit == anchor, try repo.isAncestor(anchor, of: candidate) {
            // Commits between the anchor and the candidate that change what judges, oldest first.
            var key = try trustKey(anchor, environment: environment, repo: repo)
            for commit in try repo.commits(between: anchor, and: candidate).reversed() {
                let next = try trustKey(commit.id, environment: environment, repo: repo)
                guard next != key else { continue }
                if inForce.requireSigned, commit.id != candidate {
                    let verdict = try CommitVerifier(trust: inForce.signing).verify(commit.id, in: repo)
                    guard case .valid = verdict else {
                        return "\(commit.id.short) changes the signing policy or signers of \(environment) and is \(verdict), "
                            + "not signed by a key trusted before it (at \(inForce.commit.short)); refusing \(candidate.short)"
                    }
                }
                if commit.id != candidate { inForce = try trust(at: commit.id, environment: environment, repo: repo) } else { changesTrust = true }
                key = next
            }
        }
        // The candidate answers to the trust before it, and to its own if that asks for more.
        guard inForce.requireSigned || own.requireSigned else { return nil }
        let judge = inForce.requireSigned ? inForce : own
        let verdict = try CommitVerifier(trust: judge.signing).verify(candidate, in: repo)
        if case .valid = verdict { return nil }
        if changesTrust, inForce.requireSigned {
            return "refusing to apply \(candidate.short) to \(environment): it changes the signing policy or signers and is \(verdict), "
                + "not signed by a key trusted before it (at \(inForce.commit.short)); nothing is applied"
        }
        return "refusing to apply \(candidate.short) to \(environment), which requires signed commits (as of \(judge.commit.short)): "
            + "the commit is \(verdict); nothing is applied"
    }

    /// The notification receivers a (trusted) commit names for an environment.
    package func notifications(at commit: ObjectID, environment: String) throws -> [NotificationTarget] {
        let repo = try Repository.discover(from: repositoryPath)
        return ManifestLoader().load(try ManifestFiles.read(repository: repo, commit: commit, path: root)).environment(environment)?.notifications
            ?? []
    }

    /// The policy and signers a (trusted) commit gives an environment.
    package func inForce(at commit: ObjectID, environment: String) throws -> InForce {
        try trust(at: commit, environment: environment, repo: try Repository.discover(from: repositoryPath))
    }

    /// The policy and signers a commit's own files give an environment.
    func trust(at commit: ObjectID, environment: String, repo: Repository) throws -> InForce {
        let loaded = ManifestLoader().load(try ManifestFiles.read(repository: repo, commit: commit, path: root))
        return InForce(
            requireSigned: loaded.environment(environment)?.policy.requireSignedCommits ?? false,
            signing: loaded.config?.signing, commit: commit)
    }

    /// What can change the trust, by object id: everything at the manifest root but the
    /// services and the environments, and this environment's environment.yaml. (Signers files
    /// live outside services/ and environments/; one inside is never taken from a candidate.)
    func trustKey(_ commit: ObjectID, environment: String, repo: Repository) throws -> String {
        let folder = root.hasSuffix("/") ? String(root.dropLast()) : root
        let top = try repo.children(at: commit, of: folder) ?? []
        let prefix = folder.isEmpty ? "" : folder + "/"
        let shared = top.filter { ![prefix + "services", prefix + "environments"].contains($0.path) }.map { "\($0.path)=\($0.id.hex)" }
        // The environment's own file, whichever form it takes.
        let own = try ManifestLoader.extensions.map { (ext) throws -> String in
            try repo.entry(at: commit, path: prefix + "environments/\(environment)/environment.\(ext)")?.id.hex ?? "-"
        }
        return (shared + own).joined(separator: ",")
    }
}
