/// Changes one value in a YAML (or JSON) file by editing its text, so that comments, order and
/// formatting around it stay as the author wrote them. Promotion uses it to move release fields.
package struct YAMLEdit {
    package private(set) var text: String
    let file: String

    package init(text: String, file: String) {
        self.text = text
        self.file = file
    }

    package enum EditError: Error, CustomStringConvertible {
        case unreadable(String)
        case notAMapping(String)

        package var description: String {
            switch self {
            case .unreadable(let why): return why
            case .notAMapping(let path): return "'\(path)' is not a mapping; cannot set a value in it"
            }
        }
    }

    /// Sets `path` (e.g. ["release", "version"]) to `value`, adding the key (and its parents) when missing.
    package mutating func set(_ path: [String], to value: String) throws {
        var diagnostics = Diagnostics()
        guard let root = YAMLReader().read(Array(text.utf8), file: file, into: &diagnostics) else {
            throw EditError.unreadable(diagnostics.sorted.map(\.description).joined(separator: "; "))
        }
        var current: Node? = root.isNull ? nil : root
        var container: Node? = nil
        var depth = 0
        while depth < path.count, let node = current {
            guard node.entries != nil else { throw EditError.notAMapping(path.prefix(depth).joined(separator: ".")) }
            container = node
            current = node[path[depth]]
            if current == nil { break }
            depth += 1
        }
        if depth == path.count, let existing = current {
            guard existing.scalarText != nil || existing.isNull else { throw EditError.notAMapping(path.joined(separator: ".")) }
            replaceScalar(at: existing.location, with: value)
        } else {
            // The root mapping grows at the end of the file; a nested one after its last entry.
            if depth == 0, root.entries?.isEmpty == true {
                // `{}`: the file had nothing to keep but comments.
                let comments = lines.filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("#") }.map(String.init)
                text = (comments + Self.block(path, value, indent: "") + [""]).joined(separator: "\n")
                return
            }
            insert(Array(path[depth...]), under: depth == 0 ? nil : container, value: value)
        }
    }

    // MARK: Text surgery

    private var lines: [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false) }

    /// Replaces the scalar that starts at `location` (1-based line and column).
    mutating func replaceScalar(at location: SourceLocation, with value: String) {
        var all = lines.map(String.init)
        let index = location.line - 1
        guard index < all.count else { return }
        let line = Array(all[index])
        let start = min(location.column - 1, line.count)
        var end = start
        let quote = start < line.count ? line[start] : " "
        if quote == "\"" || quote == "'" {
            end = start + 1
            while end < line.count {
                if quote == "\"" && line[end] == "\\" { end += 2; continue }
                if line[end] == quote {
                    if quote == "'" && end + 1 < line.count && line[end + 1] == "'" { end += 2; continue }
                    end += 1
                    break
                }
                end += 1
            }
        } else {
            let flow = line[..<start].contains("{") || line[..<start].contains("[")
            while end < line.count {
                let c = line[end]
                if c == "#" && end > start && line[end - 1] == " " { break }
                if flow && (c == "," || c == "}" || c == "]") { break }
                end += 1
            }
            while end > start && line[end - 1] == " " { end -= 1 }
        }
        let replacement = Self.scalar(value, like: quote == "\"" || quote == "'" ? quote : nil)
        all[index] = String(line[..<start]) + replacement + String(line[min(end, line.count)...])
        text = all.joined(separator: "\n")
    }

    /// Adds the keys `remaining` under `node` (a mapping), or at the end of the file.
    mutating func insert(_ remaining: [String], under node: Node?, value: String) {
        var all = lines.map(String.init)
        if let node, let entries = node.entries, let last = entries.last {
            let indent = String(repeating: " ", count: max(0, entries.first!.keyLocation.column - 1))
            if all[node.location.line - 1].contains("{") && node.location.line == last.keyLocation.line {
                // A one-line flow mapping: add `, key: value` before its closing brace.
                var line = all[node.location.line - 1]
                if let close = line.lastIndex(of: "}") {
                    line.insert(contentsOf: ", " + Self.flow(remaining, value), at: close)
                    all[node.location.line - 1] = line
                    text = all.joined(separator: "\n")
                    return
                }
            }
            let lastLine = Self.lastLine(of: last.node, in: all)
            all.insert(contentsOf: Self.block(remaining, value, indent: indent), at: lastLine)
        } else {
            while all.last == "" { all.removeLast() }
            all += Self.block(remaining, value, indent: "")
            all.append("")
        }
        text = all.joined(separator: "\n")
    }

    /// The line after the last one that belongs to `node`.
    static func lastLine(of node: Node, in lines: [String]) -> Int {
        var index = node.location.line
        let baseIndent = node.location.column - 1
        while index < lines.count {
            let line = lines[index]
            let indent = line.prefix { $0 == " " }.count
            if !line.trimmingCharacters(in: .whitespaces).isEmpty && indent < baseIndent { break }
            if node.scalarText != nil { break }
            index += 1
        }
        return index
    }

    static func block(_ path: [String], _ value: String, indent: String) -> [String] {
        var result: [String] = []
        for (depth, key) in path.enumerated() {
            let pad = indent + String(repeating: "  ", count: depth)
            result.append(depth == path.count - 1 ? "\(pad)\(key): \(scalar(value, like: nil))" : "\(pad)\(key):")
        }
        return result
    }

    static func flow(_ path: [String], _ value: String) -> String {
        path.count == 1 ? "\(path[0]): \(scalar(value, like: nil))" : "\(path[0]): {\(flow(Array(path.dropFirst()), value))}"
    }

    /// `value` as a YAML scalar that reads back as this text, in the original's quoting when it had one.
    static func scalar(_ value: String, like quote: Character?) -> String {
        if quote == "'" { return "'" + value.replacingOccurrences(of: "'", with: "''") + "'" }
        let plainIsText: Bool
        if case .string = YAMLReader.resolvePlain(value) { plainIsText = true } else { plainIsText = false }
        let special =
            value.isEmpty || value.first.map { "!&*-?{}[],#|>@`\"'%: ".contains($0) } ?? true || value.contains(": ") || value.contains(" #")
        if quote == nil && plainIsText && !special { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

import Foundation
