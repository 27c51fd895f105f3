/// Writes a `Node` as JSON, keeping the order keys were written in (so rendered output reads
/// like the manifest), with two-space indentation when pretty.
package enum JSONWriter {
    package static func write(_ node: Node, pretty: Bool = true) -> String {
        var out = ""
        write(node, into: &out, indent: pretty ? "" : nil)
        return out
    }

    private static func write(_ node: Node, into out: inout String, indent: String?) {
        switch node.value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let number):
            out += isJSONNumber(number.text) ? number.text : (number.value.isFinite ? String(number.value) : "null")
        case .string(let s): writeString(s, into: &out)
        case .list(let items):
            writeContainer(
                items.map { item in { (out: inout String, indent: String?) in write(item, into: &out, indent: indent) } },
                open: "[", close: "]", into: &out, indent: indent)
        case .map(let entries):
            writeContainer(
                entries.map { entry in
                    { (out: inout String, indent: String?) in
                        writeString(entry.key, into: &out)
                        out += indent == nil ? ":" : ": "
                        write(entry.node, into: &out, indent: indent)
                    }
                }, open: "{", close: "}", into: &out, indent: indent)
        }
    }

    private static func writeContainer(
        _ parts: [(inout String, String?) -> Void], open: String, close: String,
        into out: inout String, indent: String?
    ) {
        guard !parts.isEmpty else {
            out += open + close
            return
        }
        out += open
        let inner = indent.map { $0 + "  " }
        for (index, part) in parts.enumerated() {
            if index > 0 { out += "," }
            if let inner { out += "\n" + inner }
            part(&out, inner)
        }
        if let indent { out += "\n" + indent }
        out += close
    }

    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static func isJSONNumber(_ text: String) -> Bool {
        guard let first = text.first, first == "-" || first.isNumber else { return false }
        return Double(text) != nil && !text.contains("inf") && !text.contains("nan") && !text.hasPrefix("+")
            && !text.hasPrefix(".") && !text.hasPrefix("-.") && !text.hasSuffix(".")
    }
}
