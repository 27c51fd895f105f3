import Foundation

/// `review:` in berth.yaml: which branches get a review environment of their own, derived
/// from which environment, where, named how, for how long and how many at once. Read from the
/// tracked branch only, so a branch cannot widen its own limits or move its own target.
package struct ReviewTemplate: Sendable, Equatable {
    /// Branch globs (`review/*`; `*` is every branch with commits of its own).
    package let branches: [String]
    /// The environment each review environment copies (usually staging).
    package let from: String
    /// The environment name, with `${branch}` standing for the branch's slug.
    package let namePattern: String
    /// The cluster review environments run in; nil: the base environment's.
    package let cluster: String?
    /// Seconds without a new commit on the branch after which the environment is torn down.
    package let ttl: TimeInterval?
    /// How many review environments may exist at once; nil: no limit.
    package let maxEnvironments: Int?
    /// The services a review environment runs; nil: every service of the base environment.
    package let services: [String]?

    package static let defaultNamePattern = "review-${branch}"
    /// Names stay short enough for `<name>-<service>` to read well in the console and to
    /// leave room under ECS's 255-character limits.
    package static let maxNameLength = 40

    package init(
        branches: [String], from: String, namePattern: String = defaultNamePattern, cluster: String? = nil,
        ttl: TimeInterval? = nil, maxEnvironments: Int? = nil, services: [String]? = nil
    ) {
        self.branches = branches
        self.from = from
        self.namePattern = namePattern
        self.cluster = cluster
        self.ttl = ttl
        self.maxEnvironments = maxEnvironments
        self.services = services
    }

    /// Whether `branch` (a short name such as `review/feature-x`) asks for a review environment.
    package func matches(_ branch: String) -> Bool {
        branches.contains { fnmatch($0, branch, 0) == 0 }
    }

    /// The part of `branch` after the fixed start of the glob it matches (`feature-x` of
    /// `review/feature-x` for `review/*`): what `${branch}` stands for.
    package func distinctPart(of branch: String) -> String {
        guard let glob = branches.first(where: { fnmatch($0, branch, 0) == 0 }) else { return branch }
        let fixed = String(glob.prefix { !"*?[\\".contains($0) })
        let rest = branch.hasPrefix(fixed) ? String(branch.dropFirst(fixed.count)) : branch
        return rest.isEmpty ? branch : rest
    }

    /// The environment name for `branch`: the pattern with the branch's slug, lower case, within
    /// `maxNameLength` (a long slug is cut and given a hash of the whole branch name, so two
    /// long branches that share a start still differ).
    package func name(for branch: String) -> String {
        let parts = namePattern.components(separatedBy: "${branch}")
        let fixed = parts.joined().count
        var slug = Self.slug(distinctPart(of: branch))
        let room = Self.maxNameLength - fixed
        if slug.count > room {
            let hash = String(format: "%06x", Self.fnv1a(branch) & 0xffffff)
            slug = String(slug.prefix(max(1, room - hash.count - 1))).trimmingCharacters(in: CharacterSet(charactersIn: "-")) + "-" + hash
        }
        return parts.joined(separator: slug)
    }

    /// FNV-1a: a stable hash (Swift's own `hashValue` changes from run to run).
    static func fnv1a(_ text: String) -> UInt32 {
        text.utf8.reduce(UInt32(2166136261)) { ($0 ^ UInt32($1)) &* 16777619 }
    }

    /// Lower-case letters and digits, everything else one `-`.
    package static func slug(_ branch: String) -> String {
        var result = ""
        for character in branch.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                result.append(character)
            } else if !result.isEmpty && result.last != "-" {
                result.append("-")
            }
        }
        while result.last == "-" { result.removeLast() }
        return result.isEmpty ? "branch" : result
    }
}

/// Which review environment a rendering is for: the tags on everything berth creates for it,
/// by which (and only by which) a teardown finds what it may delete.
package struct ReviewIdentity: Sendable, Equatable {
    package let name: String
    package let branch: String
    /// Tells one life of a review environment from the next one of the same name.
    package let instance: String
    package let base: String
    package let created: Date

    package init(name: String, branch: String, instance: String, base: String, created: Date) {
        self.name = name
        self.branch = branch
        self.instance = instance
        self.base = base
        self.created = created
    }

    package static let nameTag = "berth:review"
    package static let branchTag = "berth:review-branch"
    package static let instanceTag = "berth:review-instance"
    package static let createdTag = "berth:review-created"

    /// The tags that mark a resource as this review environment's.
    package var tags: [(key: String, value: String)] {
        [
            (Self.nameTag, name), (Self.branchTag, String(branch.prefix(256))), (Self.instanceTag, instance),
            (Self.createdTag, ISO8601DateFormatter().string(from: created)),
        ]
    }

    /// Whether a resource's tags say it belongs to this life of this review environment.
    package func owns(_ tags: [String: String]) -> Bool {
        tags[Self.nameTag] == name && tags[Self.instanceTag] == instance
    }

    /// A fresh instance id.
    package static func newInstance() -> String {
        String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10)).lowercased()
    }
}

/// Asks the loader for one review environment: the base environment rendered as
/// `identity.name` from the branch's manifests. Where it runs, its policy and whom it notifies
/// come from `tracked`, the base environment on the tracked branch: a review branch cannot
/// move its own target, loosen its policy or send events elsewhere.
package struct ReviewRequest: Sendable {
    package let template: ReviewTemplate
    package let identity: ReviewIdentity
    package let tracked: Environment

    package init(template: ReviewTemplate, identity: ReviewIdentity, tracked: Environment) {
        self.template = template
        self.identity = identity
        self.tracked = tracked
    }

    package var target: Target { tracked.target.withCluster(template.cluster) }
}

extension Target {
    /// The same target with another cluster.
    package func withCluster(_ cluster: String?) -> Target {
        guard let cluster else { return self }
        switch self {
        case .local(var local):
            local.cluster = cluster
            return .local(local)
        case .aws(var aws):
            aws.cluster = cluster
            return .aws(aws)
        }
    }
}
