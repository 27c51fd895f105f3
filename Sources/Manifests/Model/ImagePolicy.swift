import Foundation

/// A tag pattern: `*` matches any run of characters, everything else itself; the first `*`'s
/// match is the tag's key for ordering (`main-*` orders `main-41` before `main-117`
/// numerically). Not a regular expression: a pattern comes from git, and a backtracking regex
/// engine can be made to run for hours on a 128-character tag; this matcher is linear in the
/// tag for each `*`.
public struct TagPattern: Sendable, Equatable {
    public let text: String
    let parts: [Substring]

    public init(_ text: String) {
        self.text = text
        parts = text.split(separator: "*", omittingEmptySubsequences: false)
    }

    /// The first `*`'s match (or the whole tag, without a `*`) when `tag` matches; nil otherwise.
    public func key(_ tag: String) -> String? {
        guard parts.count > 1 else { return tag == text ? tag : nil }
        guard tag.hasPrefix(parts[0]) else { return nil }
        var rest = tag.dropFirst(parts[0].count)
        let last = parts[parts.count - 1]
        guard rest.count >= last.count, rest.hasSuffix(last) else { return nil }
        rest = rest.dropLast(last.count)
        // Each middle part at its first occurrence: the leftmost match, which for `*` is as good as any.
        var keyEnd: Substring.Index?
        for part in parts.dropFirst().dropLast() {
            guard let found = rest.range(of: part) else { return nil }
            if keyEnd == nil { keyEnd = found.lowerBound }
            rest = rest[found.upperBound...]
        }
        let start = tag.index(tag.startIndex, offsetBy: parts[0].count)
        let end = keyEnd ?? tag.index(tag.endIndex, offsetBy: -last.count)
        return String(tag[start..<max(start, end)])
    }
}

/// One entry of berth.yaml's `images:`: which registry tags a service's container may move to,
/// and how the newest is chosen (image automation, as Flux's image policies and Argo CD Image
/// Updater do it).
public struct ImagePolicy: Sendable {
    public enum Order: Sendable, Equatable {
        /// The highest version in a semver range.
        case semver(SemverRange)
        /// Tags matching a pattern, ordered by what its first `*` matched: numerically or
        /// alphabetically.
        case pattern(TagPattern, numerical: Bool)
        /// The newest pushed.
        case latest

        public static func == (a: Order, b: Order) -> Bool {
            switch (a, b) {
            case let (.semver(x), .semver(y)): return x.description == y.description
            case let (.pattern(x, n), .pattern(y, m)): return x == y && n == m
            case (.latest, .latest): return true
            default: return false
            }
        }
    }

    public enum Mode: String, Sendable, CaseIterable {
        case commit
        case pullRequest = "pull-request"
    }

    public let service: String
    /// The container whose image moves; nil: every container of the service whose image is in
    /// `repository`.
    public let container: String?
    /// `<account>.dkr.ecr.<region>.amazonaws.com/<name>`.
    public let repository: String
    public let order: Order
    public let mode: Mode

    public init(service: String, container: String?, repository: String, order: Order, mode: Mode) {
        self.service = service
        self.container = container
        self.repository = repository
        self.order = order
        self.mode = mode
    }

    /// The registry's account, Region and repository name, from the repository URI.
    public var registry: (account: String, region: String, name: String)? {
        guard let slash = repository.firstIndex(of: "/") else { return nil }
        let host = repository[..<slash].split(separator: ".")
        guard host.count >= 6, host[1] == "dkr", host[2] == "ecr", host[0].count == 12, host[0].allSatisfy(\.isNumber) else { return nil }
        let name = String(repository[repository.index(after: slash)...])
        guard !name.isEmpty else { return nil }
        return (String(host[0]), String(host[3]), name)
    }

    /// The newest allowed tag among `tags` (each with when it was pushed), or nil.
    public func newest(_ tags: [(tag: String, pushed: Date?)]) -> String? {
        allowed(tags).last?.tag
    }

    /// Whether `candidate` is newer than `current` by this policy (a tag the policy does not
    /// allow is older than any it does, so a hand-written pin is moved on, never back).
    public func isNewer(_ candidate: String, than current: String, among tags: [(tag: String, pushed: Date?)]) -> Bool {
        let ordered = allowed(tags).map(\.tag)
        guard let new = ordered.firstIndex(of: candidate) else { return false }
        guard let old = ordered.firstIndex(of: current) else { return true }
        return new > old
    }

    /// The allowed tags, oldest first.
    func allowed(_ tags: [(tag: String, pushed: Date?)]) -> [(tag: String, pushed: Date?)] {
        switch order {
        case .semver(let range):
            return tags.compactMap { item in SemanticVersion(item.tag).flatMap { range.contains($0) ? ($0, item) : nil } }
                .sorted { $0.0 < $1.0 }.map(\.1)
        case .pattern(let pattern, let numerical):
            let keyed = tags.compactMap { item in pattern.key(item.tag).map { ($0, item) } }
            if numerical {
                return keyed.compactMap { key, item in Double(key).map { ($0, item) } }.sorted { $0.0 < $1.0 }.map(\.1)
            }
            return keyed.sorted { $0.0 < $1.0 }.map(\.1)
        case .latest:
            return tags.filter { $0.pushed != nil }.sorted { ($0.pushed!, $0.tag) < ($1.pushed!, $1.tag) }
        }
    }
}
