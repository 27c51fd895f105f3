import Foundation
import Git

/// Who notes commits say wrote them: berth, the same on every host, so the records' history
/// never carries whatever a laptop's or a server's `~/.gitconfig` says. Who applied is in each
/// record (`deployer`), not here. `BERTH_NOTES_AUTHOR="Name <email>"` changes it.
package struct NotesAuthor: Sendable, Equatable {
    package var name: String
    package var email: String

    package init(name: String = "berth", email: String = "berth@localhost") {
        self.name = name
        self.email = email
    }

    /// From `BERTH_NOTES_AUTHOR` (`Name <email>`), or berth's default.
    package static func from(environment: [String: String] = ProcessInfo.processInfo.environment) -> NotesAuthor {
        guard let text = environment["BERTH_NOTES_AUTHOR"], let open = text.firstIndex(of: "<"), text.hasSuffix(">") else {
            return NotesAuthor()
        }
        let name = text[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        return name.isEmpty || email.isEmpty ? NotesAuthor() : NotesAuthor(name: name, email: email)
    }

    /// A signature dated now.
    package func signature() -> Signature { Signature(name: name, email: email) }
}
