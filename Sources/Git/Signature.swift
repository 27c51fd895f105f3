import CGit2
import Foundation

/// Who made a commit and when (git's author or committer line).
package struct Signature: Sendable, Equatable {
    package var name: String
    package var email: String
    package var date: Date
    /// Offset from UTC in minutes, as recorded in the commit.
    package var timeZoneOffsetMinutes: Int

    package init(name: String, email: String, date: Date = Date(), timeZoneOffsetMinutes: Int = 0) {
        self.name = name
        self.email = email
        self.date = date
        self.timeZoneOffsetMinutes = timeZoneOffsetMinutes
    }

    init(_ sig: UnsafePointer<git_signature>) {
        name = String(gitString: sig.pointee.name)
        email = String(gitString: sig.pointee.email)
        date = Date(timeIntervalSince1970: TimeInterval(sig.pointee.when.time))
        timeZoneOffsetMinutes = Int(sig.pointee.when.offset)
    }

    /// Runs `body` with a libgit2 signature that is freed afterwards.
    func withGitSignature<R>(_ body: (UnsafePointer<git_signature>) throws -> R) throws -> R {
        var sig: UnsafeMutablePointer<git_signature>?
        try check(
            git_signature_new(
                &sig, name, email, git_time_t(date.timeIntervalSince1970.rounded(.down)),
                Int32(timeZoneOffsetMinutes)), "make signature for \(name)")
        defer { git_signature_free(sig) }
        return try body(sig!)
    }
}
