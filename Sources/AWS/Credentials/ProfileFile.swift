import Foundation

/// The AWS shared config and credentials files: INI sections of `key = value`.
/// In the config file a profile is `[profile NAME]` (`[default]` for the default); in the
/// credentials file it is `[NAME]`. Values from the credentials file win.
package struct ProfileFiles: Sendable {
    package private(set) var profiles: [String: [String: String]] = [:]

    package init(configText: String?, credentialsText: String?) {
        for (section, values) in Self.parse(configText ?? "") {
            let name =
                section == "default"
                ? "default" : section.hasPrefix("profile ") ? String(section.dropFirst(8)).trimmingCharacters(in: .whitespaces) : nil
            guard let name else { continue }
            profiles[name, default: [:]].merge(values) { old, _ in old }
        }
        for (section, values) in Self.parse(credentialsText ?? "") {
            profiles[section, default: [:]].merge(values) { _, new in new }
        }
    }

    /// Reads the files named by AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/...).
    package static func load(environment: [String: String]) -> ProfileFiles {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let config = environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        let credentials = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        return ProfileFiles(
            configText: try? String(contentsOfFile: expand(config, home: home), encoding: .utf8),
            credentialsText: try? String(contentsOfFile: expand(credentials, home: home), encoding: .utf8))
    }

    static func expand(_ path: String, home: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst(1) : path
    }

    static func parse(_ text: String) -> [(String, [String: String])] {
        var sections: [(String, [String: String])] = []
        var current: String?
        var values: [String: String] = [:]
        var nestedKey = false
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                if let current { sections.append((current, values)) }
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                values = [:]
                nestedKey = false
                continue
            }
            // Indented lines continue a nested block (e.g. `s3 =`), which berth does not use.
            if rawLine.first == " " || rawLine.first == "\t" {
                if nestedKey { continue }
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if let comment = value.range(of: " #") ?? value.range(of: " ;") {
                value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            nestedKey = value.isEmpty
            if !nestedKey { values[key] = value }
        }
        if let current { sections.append((current, values)) }
        return sections
    }
}
