import Foundation
import Git
import Manifests

/// A branch the review template matches, and whether it should have an environment now.
public struct ReviewBranch: Sendable, Equatable {
    public let branch: String
    public let name: String
    public let tip: ObjectID
    /// When the branch last changed (its tip's committer date): what the time to live counts from.
    public let lastCommit: Date
    /// Why it should not have an environment (merged, idle past the time to live); nil when it should.
    public let unwantedReason: String?
    /// When the time to live runs out, if there is one.
    public let expires: Date?

    public var wanted: Bool { unwantedReason == nil }
}
