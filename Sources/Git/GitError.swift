import CGit2

/// A failed libgit2 call: what berth was doing, libgit2's error class and its message.
package struct GitError: Error, CustomStringConvertible, Sendable, Equatable {
    package enum Code: Sendable, Equatable {
        case notFound
        case exists
        case ambiguous
        case unbornBranch
        case nonFastForward
        case invalidSpec
        case conflict
        case locked
        /// A reference changed between reading and updating it (a compare-and-swap lost).
        case modified
        case auth
        case certificate
        /// A git server stopped answering (see `NetworkDeadline`).
        case timeout
        case other(Int32)

        init(rawCode: Int32) {
            switch rawCode {
            case GIT_ENOTFOUND.rawValue: self = .notFound
            case GIT_EEXISTS.rawValue: self = .exists
            case GIT_EAMBIGUOUS.rawValue: self = .ambiguous
            case GIT_EUNBORNBRANCH.rawValue: self = .unbornBranch
            case GIT_ENONFASTFORWARD.rawValue: self = .nonFastForward
            case GIT_EINVALIDSPEC.rawValue: self = .invalidSpec
            case GIT_ECONFLICT.rawValue: self = .conflict
            case GIT_ELOCKED.rawValue: self = .locked
            case GIT_EMODIFIED.rawValue: self = .modified
            case GIT_EAUTH.rawValue: self = .auth
            case GIT_ECERTIFICATE.rawValue: self = .certificate
            default: self = .other(rawCode)
            }
        }
    }

    package let code: Code
    /// libgit2's error class (`git_error_t`), 0 when berth raised the error itself.
    package let errorClass: Int32
    package let message: String
    /// What berth was doing, e.g. "resolve 'main~2'".
    package let operation: String

    package init(code: Code, message: String, operation: String, errorClass: Int32 = 0) {
        self.code = code
        self.message = message
        self.operation = operation
        self.errorClass = errorClass
    }

    package var description: String {
        "git: \(operation): \(message)"
    }

    /// Another writer got there first (a reference moved, or its lock file is held): reading
    /// again and retrying is the answer.
    package var isContention: Bool {
        code == .modified || code == .locked || message.contains("failed to create locked file") || message.contains("failed to lock file")
    }

    static func fromLast(code: Int32, operation: String) -> GitError {
        if let last = git_error_last() {
            return GitError(
                code: Code(rawCode: code), message: String(gitString: last.pointee.message),
                operation: operation, errorClass: last.pointee.klass)
        }
        return GitError(code: Code(rawCode: code), message: "libgit2 error \(code)", operation: operation)
    }
}
