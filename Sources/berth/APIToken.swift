import Foundation

/// The controller's API token, as the controller and `berth reconcile` read it: from a file
/// (`--api-token-file`, `BERTH_API_TOKEN_FILE`) or `BERTH_API_TOKEN`, trimmed; an unreadable,
/// empty or multi-line file is an error rather than a lock-out or an open door.
enum APIToken {
    static func read(file: String?, variable: String?) throws -> String? {
        if let file {
            let text: String
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw CLIError("cannot read the API token file \(file)")
            }
            return try check(text, source: file)
        }
        guard let variable, !variable.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return try check(variable, source: "BERTH_API_TOKEN")
    }

    private static func check(_ text: String, source: String) throws -> String {
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw CLIError("the API token in \(source) is empty") }
        guard !token.contains(where: \.isNewline), token.allSatisfy({ $0.isASCII && !$0.isWhitespace || $0 == " " }) else {
            throw CLIError("the API token in \(source) must be one line of printable ASCII")
        }
        return token
    }
}
