import Foundation
import Git
import Manifests

/// A branch the review template matches, and whether it should have an environment now.
package struct ReviewBranch: Sendable, Equatable {
    package let branch: String
    package let name: String
    package let tip: ObjectID
    /// When the branch last changed (its tip's committer date): what the time to live counts from.
    package let lastCommit: Date
    /// Why it should not have an environment (merged, idle past the time to live); nil when it should.
    package let unwantedReason: String?
    /// When the time to live runs out, if there is one.
    package let expires: Date?

    package var wanted: Bool { unwantedReason == nil }
}
