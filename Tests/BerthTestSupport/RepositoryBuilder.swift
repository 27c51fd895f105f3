import Foundation
import Git

extension Signature {
    /// Who the tests' own commits are by.
    package static func developer(at date: Date = Date()) -> Signature { Signature(name: "Dev", email: "dev@example.com", date: date) }
}

extension Repository {
    /// The one way the tests commit files: `files` written (nil: deleted) on top of `branch`'s
    /// tip, as a developer's commit.
    @discardableResult
    package func commit(
        files: [String: String?], on branch: String = "main", message: String = "change", author: Signature = .developer()
    ) throws -> ObjectID {
        let changes = files.sorted { $0.key < $1.key }.map { path, text in text.map { FileChange.write(path, $0) } ?? .delete(path) }
        return try commit(
            changes: changes, onto: branch, expectedTip: referenceTarget("refs/heads/\(branch)"), message: message, author: author)
    }
}
