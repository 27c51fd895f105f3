import Foundation
import Yams

/// Parses one manifest file (YAML, or JSON, which is read as YAML) into a located `Node`.
///
/// Plain scalars follow the YAML 1.2 core schema, so `yes`, `no`, `on` and `off` stay strings.
/// Aliases are expanded within a budget, merge keys (`<<`) are honoured, duplicate keys are errors.
package struct YAMLReader {
    let limits: Limits

    package init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// The parsed document, or nil with the reasons added to `diagnostics`. An empty file is `null`.
    package func read(_ bytes: [UInt8], file: String, into diagnostics: inout Diagnostics) -> Node? {
        let start = SourceLocation(file: file)
        if bytes.count > limits.maxFileBytes {
            diagnostics.error("file is \(bytes.count) bytes, over the limit of \(limits.maxFileBytes)", at: start)
            return nil
        }
        guard var text = String(validating: bytes, as: UTF8.self) else {
            diagnostics.error("file is not valid UTF-8", at: Self.locationOfInvalidUTF8(bytes, file: file))
            return nil
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        if let problem = NestingGuard.check(text, file: file) {
            diagnostics.add(problem)
            return nil
        }
        let root: Yams.Node?
        do {
            // UTF-8 named here: Yams's default reads the process environment (building a
            // dictionary of it) at every parser, and a YAMS_DEFAULT_ENCODING there prints a line.
            let parser = try Parser(yaml: text, resolver: .basic, encoding: .utf8)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            diagnostics.add(syntaxDiagnostic(error, text: text, file: file))
            return nil
        } catch {
            diagnostics.error("cannot parse: \(error)", at: start)
            return nil
        }
        guard let root else { return Node(.null, at: start) }
        var converter = Converter(start: start, limits: limits)
        do {
            let node = try converter.convert(root, depth: 0)
            for problem in converter.problems { diagnostics.add(problem) }
            return node
        } catch {
            diagnostics.add(error)
            return nil
        }
    }

    private func syntaxDiagnostic(_ error: YamlError, text: String, file: String) -> Diagnostic {
        let kind = file.hasSuffix(".json") ? "JSON" : "YAML"
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let location = SourceLocation(file: file, line: mark.line, column: mark.column)
            if let placeholder = Self.placeholder(near: mark, in: text) {
                return Diagnostic(
                    .error, "unrendered template placeholder \(placeholder): berth does not run templates; use ${vars.NAME} (see docs/manifests.md)",
                    at: location)
            }
            let while_ = context.map { " \($0.text)" } ?? ""
            return Diagnostic(.error, "\(kind) syntax error: \(problem)\(while_)", at: location)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return Diagnostic(
                .error, "duplicate key \(keys) in the same mapping",
                at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
        case .reader(let problem, let offset, _, _):
            let line = offset.map { off in text.utf8.prefix(off).filter { $0 == 10 }.count + 1 } ?? 1
            return Diagnostic(.error, "\(kind) error: \(problem)", at: SourceLocation(file: file, line: line))
        default:
            return Diagnostic(.error, "\(kind) error: \(error)", at: SourceLocation(file: file))
        }
    }

    /// How a plain (unquoted) scalar reads under the YAML 1.2 core schema.
    static func resolvePlain(_ text: String) -> Node.Value {
        Converter.resolvePlain(text)
    }

    /// A template placeholder (`<NAME>`, `{{ … }}`) on the line where the parser stopped.
    static func placeholder(near mark: Mark, in text: String) -> String? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        return TemplatePlaceholder.first(in: String(lines[mark.line - 1]))
    }

    static func locationOfInvalidUTF8(_ bytes: [UInt8], file: String) -> SourceLocation {
        var line = 1, lineStart = 0, index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0..<0x80: length = 1
            case 0xC2..<0xE0: length = 2
            case 0xE0..<0xF0: length = 3
            case 0xF0..<0xF5: length = 4
            default: length = 0
            }
            let end = index + length
            if length == 0 || end > bytes.count || String(validating: bytes[index..<end], as: UTF8.self) == nil {
                return SourceLocation(file: file, line: line, column: index - lineStart + 1)
            }
            if byte == 10 { line += 1; lineStart = index + 1 }
            index = end
        }
        return SourceLocation(file: file, line: line)
    }
}

/// Turns Yams' tree into located `Node`s, expanding aliases within the node budget.
private struct Converter {
    /// The file's first place: every node's location is made from it.
    let start: SourceLocation
    let limits: Limits
    var count = 0
    /// Problems that do not stop the conversion.
    var problems: [Diagnostic] = []

    init(start: SourceLocation, limits: Limits) {
        self.start = start
        self.limits = limits
    }

    mutating func convert(_ node: Yams.Node, depth: Int) throws(Diagnostic) -> Node {
        let location = locate(node.mark)
        count += 1
        if count > limits.maxNodesPerFile {
            throw Diagnostic(.error, "document expands to more than \(limits.maxNodesPerFile) values (YAML aliases?)", at: location)
        }
        if depth > limits.maxDepth {
            throw Diagnostic(.error, "nesting deeper than \(limits.maxDepth) levels", at: location)
        }
        if case let tag = Self.writtenTag(node), !Self.plainTags.contains(tag) {
            // Reported, and the value read as if untagged: the rest of the file is still checked.
            let shown = tag.hasPrefix(Self.coreTagPrefix) ? "!!" + tag.dropFirst(Self.coreTagPrefix.count) : tag
            problems.append(
                Diagnostic(
                    .error,
                    "YAML tag '\(shown)' is not supported: berth reads plain values (text, numbers, "
                        + "true/false, lists, mappings); remove the tag", at: location))
        }
        switch node {
        case .scalar(let scalar):
            return Node(Self.resolve(scalar), at: location)
        case .alias:
            throw Diagnostic(.error, "unexpected alias", at: location)
        case .sequence(let sequence):
            var items: [Node] = []
            for item in sequence { items.append(try convert(item, depth: depth + 1)) }
            return Node(.list(items), at: location)
        case .mapping(let mapping):
            var entries: [Node.Entry] = []
            var keys = Set<String>()
            var merged: [Node.Entry] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw Diagnostic(.error, "mapping keys must be plain strings", at: locate(key.mark))
                }
                let converted = try convert(value, depth: depth + 1)
                if keyScalar.string == "<<" && keyScalar.style == .plain {
                    merged.append(contentsOf: try mergeEntries(converted))
                    continue
                }
                // Yams refuses most repeated keys; a tag can make two keys differ to Yams
                // (`1` and `!!int 1`) that are the same text to berth.
                if !keys.insert(keyScalar.string).inserted {
                    throw Diagnostic(.error, "duplicate key '\(keyScalar.string)' in the same mapping", at: locate(key.mark))
                }
                entries.append(Node.Entry(key: keyScalar.string, keyLocation: locate(key.mark), node: converted))
            }
            var seen = Set<String>()
            let inherited = merged.filter { !keys.contains($0.key) && seen.insert($0.key).inserted }
            return Node(.map(entries + inherited), at: location)
        }
    }

    /// The entries a merge key (`<<: *defaults` or `<<: [*a, *b]`) brings in; earlier maps win.
    private func mergeEntries(_ node: Node) throws(Diagnostic) -> [Node.Entry] {
        switch node.value {
        case .map(let entries): return entries
        case .list(let items):
            var result: [Node.Entry] = []
            for item in items {
                guard let entries = item.entries else {
                    throw Diagnostic(.error, "a merge key (<<) takes a mapping or a list of mappings", at: item.location)
                }
                result.append(contentsOf: entries)
            }
            return result
        default:
            throw Diagnostic(.error, "a merge key (<<) takes a mapping or a list of mappings", at: node.location)
        }
    }

    private func locate(_ mark: Mark?) -> SourceLocation {
        start.moved(line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// The tag the file wrote ("" or "!" when none). `Yams.Node.tag` would resolve it, matching
    /// a plain scalar against Yams's regular expressions, which was a tenth of loading; berth
    /// reads plain scalars by its own rules (`resolvePlain`).
    static func writtenTag(_ node: Yams.Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.tag.rawValue
        case .mapping(let mapping): return mapping.tag.rawValue
        case .sequence(let sequence): return sequence.tag.rawValue
        case .alias(let alias): return alias.tag.rawValue
        }
    }

    static let coreTagPrefix = "tag:yaml.org,2002:"
    /// Tags that only say what the value already is (`!!str`, `!!int`, …) or that Yams' resolver
    /// gives untagged values. Any other (`!!binary`, `!!python/object`, `!custom`) asks for a
    /// meaning berth does not give, so it is refused rather than silently read as text.
    static let plainTags = Set(["", "!", "?"]).union(
        ["str", "int", "float", "bool", "null", "map", "seq", "merge", "value", "timestamp"].map { coreTagPrefix + $0 })

    /// YAML 1.2 core schema for plain scalars; quoted scalars and `!!str` are strings.
    static func resolve(_ scalar: Yams.Node.Scalar) -> Node.Value {
        let text = scalar.string
        let tag = scalar.tag.rawValue  // as written: "" for a plain scalar without a tag
        if scalar.style != .plain || tag == "tag:yaml.org,2002:str" || tag == "!" {
            return .string(text)
        }
        return resolvePlain(text)
    }

    static func resolvePlain(_ text: String) -> Node.Value {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let int = Int(text), text.first != "+" || text.count > 1 { return .int(int) }
        // YAML 1.2 has no sign after 0x or 0o, which Int(_:radix:) would take.
        if text.hasPrefix("0x"), text.dropFirst(2).allSatisfy(\.isHexDigit), let int = Int(text.dropFirst(2), radix: 16) { return .int(int) }
        if text.hasPrefix("0o"), text.dropFirst(2).allSatisfy({ ("0"..."7").contains($0) }), let int = Int(text.dropFirst(2), radix: 8) {
            return .int(int)
        }
        if isFloat(text), Double(text) != nil { return .double(NumberText(text)) }
        return .string(text)
    }

    private static func isFloat(_ text: String) -> Bool {
        // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
        var chars = Substring(text)
        if chars.first == "-" || chars.first == "+" { chars = chars.dropFirst() }
        let mantissaEnd = chars.firstIndex { $0 == "e" || $0 == "E" } ?? chars.endIndex
        let mantissa = chars[..<mantissaEnd]
        let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !mantissa.isEmpty, parts.count <= 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigitCharacter) }),
            parts.contains(where: { !$0.isEmpty })
        else { return false }
        if mantissaEnd == chars.endIndex { return true }
        var exponent = chars[chars.index(after: mantissaEnd)...]
        if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
        return !exponent.isEmpty && exponent.allSatisfy(\.isASCIIDigitCharacter)
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
