import Foundation
import Git
import Manifests
import Plan

/// What berth could check of a commit's `Berth-` trailers. Anyone can write
/// `Berth-Promotion: staging -> prod` in a message; the log says whether the commit is what
/// berth would have made (or is signed by a trusted key), or only claims to be.
package struct TrailerVerification: Codable, Sendable, Equatable {
    package let verified: Bool
    /// How it was verified, or why it could not be.
    package let reason: String

    static func claimed(_ why: String) -> TrailerVerification { .init(verified: false, reason: why) }
}

/// Verifies promotion and rollback trailers by making the change again: the release mover run
/// on the commit's parent with the release the trailers name must render, for every
/// environment, exactly what the commit renders.
struct TrailerVerifier {
    let repo: Repository
    let root: String
    /// The services of the last commit compared: a commit asked for twice in a row is loaded
    /// once. One, not all: a long log must not keep every promotion's services.
    private var rendered: (id: ObjectID, services: [RenderedService])?
    /// The commits checked are close to each other: each is loaded by what changed since the
    /// last, and services that did not change keep their hashes.
    private var loader: IncrementalLoader
    private let desired = DesiredCache()
    /// Each check renders a few commits in full; anyone can write trailers, so one log makes
    /// at most this many and says so for the rest.
    static let budget = 200
    private var spent = 0

    init(repo: Repository, root: String) {
        self.repo = repo
        self.root = root
        loader = IncrementalLoader(path: root)
    }

    mutating func verify(_ commit: Commit, signature: String) -> TrailerVerification? {
        let trailers = commit.trailers.filter { $0.key.hasPrefix("Berth-") }
        guard !trailers.isEmpty else { return nil }
        if signature.hasPrefix("signed ("), signature.contains("): verified, ") {
            return .init(verified: true, reason: "signed by a trusted key (\(signature.components(separatedBy: "verified, ").last ?? ""))")
        }
        guard spent < Self.budget else {
            return .claimed("not checked: this log already checked \(Self.budget) commits' trailers (narrow it with --since or --env)")
        }
        spent += 1
        func value(_ key: String) -> String? { trailers.first { $0.key == key }?.value }
        do {
            if let promotion = value("Berth-Promotion") {
                let names = promotion.components(separatedBy: " -> ")
                guard names.count == 2 else { return .claimed("Berth-Promotion '\(promotion)' is not 'SOURCE -> TARGET'") }
                let releases = trailers.filter { $0.key == "Berth-Release" }.compactMap { $0.value.split(separator: "=").first.map(String.init) }
                return try verifyPromotion(commit, from: names[0], to: names[1], source: value("Berth-Source-Commit"), services: releases)
            }
            if let environment = value("Berth-Rollback") {
                return try verifyRollback(commit, environment: environment, restores: value("Berth-Restores"))
            }
            if value("Berth-Image-Update") != nil {
                return .claimed("an image update: what the registry held then cannot be asked again")
            }
            return .claimed("no Berth-Promotion or Berth-Rollback trailer to check")
        } catch {
            return .claimed("cannot be checked: \(error)")
        }
    }

    private mutating func verifyPromotion(
        _ commit: Commit, from source: String, to target: String, source sourceHex: String?,
        services named: [String]
    ) throws -> TrailerVerification {
        try remake(
            commit, from: sourceHex, trailer: "Berth-Source-Commit", reading: source, editing: target,
            making: { "promoting \(source) at \($0.short)" }
        ) { mover, then, from, to in
            let sourceServices = Set(from.services)
            let common = to.services.filter(sourceServices.contains)
            let partial = !named.isEmpty && Set(named) != Set(common)
            if !partial { try mover.setRelease(from.release, in: to) }
            // A promotion of a few services reads only their images.
            let pinned = partial ? named : common
            try mover.pinImages(then.images(environment: source, only: Set(pinned)), services: pinned, in: target)
        }
    }

    private mutating func verifyRollback(_ commit: Commit, environment: String, restores: String?) throws -> TrailerVerification {
        try remake(
            commit, from: restores, trailer: "Berth-Restores", reading: environment, editing: environment,
            making: { "rolling \(environment) back to \($0.short)" }
        ) { mover, then, past, now in
            let images = then.images(environment: environment)
            try mover.setRelease(past.release, in: now)
            try mover.pinImages(images, services: now.services.filter { images[$0] != nil }, in: environment)
        }
    }

    /// Makes the change again: `edit` applied to the commit's parent with the manifests at the
    /// commit the trailer names (and the environments read and edited), then compared.
    private mutating func remake(
        _ commit: Commit, from hex: String?, trailer: String, reading source: String, editing target: String,
        making what: (ObjectID) -> String,
        _ edit: (inout ReleaseMover, LoadedManifests, Environment, Environment) throws -> Void
    ) throws -> TrailerVerification {
        let (named, problem) = ancestor(hex, of: commit, trailer: trailer)
        guard let named, let parent = commit.parents.first else { return .claimed(problem ?? "the commit has no parent") }
        let then = try loader.load(repository: repo, commit: named)
        guard let from = then.environment(source) else { return .claimed("\(source) does not exist at \(named.short)") }
        var mover = ReleaseMover(
            files: try ManifestFiles.read(repository: repo, commit: parent, path: root, after: loader.lastFiles),
            loader: loader)
        guard let to = mover.loaded.environment(target) else { return .claimed("\(target) does not exist before this commit") }
        try edit(&mover, then, from, to)
        return try compare(commit, with: mover.loaded, making: what(named))
    }

    /// A full commit id the commit descends from; anything else (a branch name, a short id, a
    /// commit elsewhere) is only a claim.
    private func ancestor(_ hex: String?, of commit: Commit, trailer: String) -> (ObjectID?, String?) {
        guard let hex else { return (nil, "no \(trailer) trailer") }
        guard hex.count == 40, let id = ObjectID(hex: hex), (try? repo.commit(id)) != nil else {
            return (nil, "\(trailer) \(hex.prefix(40)) is not a commit in this repository")
        }
        guard id != commit.id, (try? repo.isAncestor(id, of: commit.id)) == true else {
            return (nil, "\(trailer) \(id.short) is not in this commit's history")
        }
        return (id, nil)
    }

    private mutating func compare(_ commit: Commit, with remade: LoadedManifests, making what: String) throws -> TrailerVerification {
        let actualServices = try services(at: commit.id)
        // The same rendering is the same service; only services rendered apart are hashed.
        func same(_ a: RenderedService?, _ b: RenderedService?) -> Bool {
            guard let a, let b else { return a == nil && b == nil }
            if a.renderID == b.renderID { return true }
            guard let left = try? desired.desired(a), let right = try? desired.desired(b) else { return false }
            return left.specHash == right.specHash && left.settingsHash == right.settingsHash
        }
        // Each service of either side, with its rendering on each.
        var pairs: [(environment: String, service: String, actual: RenderedService?, expected: RenderedService?)]
        if actualServices.count == remade.rendered.count,
            zip(actualServices, remade.rendered).allSatisfy({ $0.environment == $1.environment && $0.service == $1.service })
        {
            // Both loaded by one loader from nearly the same files: the services stand in the
            // same places, and most are the same renderings.
            pairs = zip(actualServices, remade.rendered).map { ($0.environment, $0.service, $0, $1) }
        } else {
            let actual = Self.services(actualServices)
            let expected = Self.services(remade.rendered)
            pairs = Set(actual.keys).union(expected.keys).flatMap { env in
                Set((actual[env] ?? [:]).keys).union((expected[env] ?? [:]).keys).map { (env, $0, actual[env]?[$0], expected[env]?[$0]) }
            }
        }
        let differing = pairs.filter { !same($0.actual, $0.expected) }.sorted { ($0.environment, $0.service) < ($1.environment, $1.service) }
            .map { "\($0.environment)/\($0.service)" }
        desired.keep(only: remade)
        guard differing.isEmpty else {
            let shown = differing.prefix(5).joined(separator: ", ") + (differing.count > 5 ? ", …" : "")
            return .claimed("the commit is not what \(what) makes (differs in \(shown))")
        }
        return .init(verified: true, reason: "the commit is what \(what) makes")
    }

    private mutating func services(at id: ObjectID) throws -> [RenderedService] {
        if let rendered, rendered.id == id { return rendered.services }
        let state = try loader.load(repository: repo, commit: id).rendered
        rendered = (id, state)
        return state
    }

    /// Each environment's rendered services, by name.
    static func services(_ rendered: [RenderedService]) -> [String: [String: RenderedService]] {
        var result: [String: [String: RenderedService]] = [:]
        for service in rendered { result[service.environment, default: [:]][service.service] = service }
        return result
    }
}
