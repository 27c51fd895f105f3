import Foundation

/// One entry of berth.yaml's `images:`: which registry tags a service's container may move to,
/// and how the newest is chosen (image automation, as Flux's image policies and Argo CD Image
/// Updater do it).
package struct ImagePolicy: Sendable {
    package enum Order: Sendable, Equatable {
        /// The highest version in a semver range.
        case semver(SemverRange)
        /// Tags matching a regular expression, ordered by its first group (the whole match
        /// without one): numerically or alphabetically.
        case pattern(TagRegex, numerical: Bool)
        /// The newest pushed.
        case latest

        package static func == (a: Order, b: Order) -> Bool {
            switch (a, b) {
            case let (.semver(x), .semver(y)): return x.description == y.description
            case let (.pattern(x, n), .pattern(y, m)): return x == y && n == m
            case (.latest, .latest): return true
            default: return false
            }
        }
    }

    package enum Mode: String, Sendable, CaseIterable {
        case commit
        case pullRequest = "pull-request"
    }

    package let service: String
    /// The container whose image moves; nil: every container of the service whose image is in
    /// `repository`.
    package let container: String?
    /// `<account>.dkr.ecr.<region>.amazonaws.com/<name>`.
    package let repository: String
    package let order: Order
    package let mode: Mode

    package init(service: String, container: String?, repository: String, order: Order, mode: Mode) {
        self.service = service
        self.container = container
        self.repository = repository
        self.order = order
        self.mode = mode
    }

    /// The registry's account, Region and repository name, from the repository URI.
    package var registry: (account: String, region: String, name: String)? {
        guard let slash = repository.firstIndex(of: "/") else { return nil }
        let host = repository[..<slash].split(separator: ".")
        guard host.count >= 6, host[1] == "dkr", host[2] == "ecr", host[0].count == 12, host[0].allSatisfy(\.isNumber) else { return nil }
        let name = String(repository[repository.index(after: slash)...])
        guard !name.isEmpty else { return nil }
        return (String(host[0]), String(host[3]), name)
    }

    /// The newest allowed tag among `tags` (each with when it was pushed), or nil.
    package func newest(_ tags: [(tag: String, pushed: Date?)]) -> String? {
        allowed(tags).last?.tag
    }

    /// Whether `candidate` is newer than `current` by this policy (a tag the policy does not
    /// allow is older than any it does, so a hand-written pin is moved on, never back).
    package func isNewer(_ candidate: String, than current: String, among tags: [(tag: String, pushed: Date?)]) -> Bool {
        // A version pinned by hand (a hotfix, a major the range leaves out) is never replaced
        // by a lower one; the same version under another spelling (v1.2.0, 1.2.0) is no update.
        if case .semver = order, let new = SemanticVersion(candidate), let old = SemanticVersion(current) { return new > old }
        let ordered = allowed(tags).map(\.tag)
        guard let new = ordered.firstIndex(of: candidate) else { return false }
        guard let old = ordered.firstIndex(of: current) else { return true }
        return new > old
    }

    /// The allowed tags, oldest first.
    func allowed(_ tags: [(tag: String, pushed: Date?)]) -> [(tag: String, pushed: Date?)] {
        switch order {
        case .semver(let range):
            // Equal versions (v1.2.0, 1.2.0) in the order of their tags, whatever order ECR lists them in.
            let versions: [(version: SemanticVersion, item: (tag: String, pushed: Date?))] = tags.compactMap { item in
                guard let version = SemanticVersion(item.tag), range.contains(version) else { return nil }
                return (version, item)
            }
            return versions.sorted { a, b in a.version != b.version ? a.version < b.version : a.item.tag < b.item.tag }.map(\.item)
        case .pattern(let pattern, let numerical):
            let keyed = tags.compactMap { item in pattern.key(item.tag).map { ($0, item) } }
            if numerical {
                // Digits only (no signs, exponents, "inf"), any length: by length, then by digits.
                let numbers: [(digits: String, item: (tag: String, pushed: Date?))] = keyed.compactMap { key, item in
                    guard !key.isEmpty, key.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
                    return (String(key.drop { $0 == "0" }), item)
                }
                return numbers.sorted { a, b in
                    if a.digits.count != b.digits.count { return a.digits.count < b.digits.count }
                    return a.digits != b.digits ? a.digits < b.digits : a.item.tag < b.item.tag
                }.map(\.item)
            }
            return keyed.sorted { ($0.0, $0.1.tag) < ($1.0, $1.1.tag) }.map(\.1)
        case .latest:
            return tags.filter { $0.pushed != nil }.sorted { ($0.pushed!, $0.tag) < ($1.pushed!, $1.tag) }
        }
    }
}
