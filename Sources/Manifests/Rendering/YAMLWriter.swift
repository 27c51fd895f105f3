import Yams

/// Writes a `Node` as YAML, quoting any string that would otherwise read back as another type.
package enum YAMLWriter {
    package static func write(_ node: Node) throws -> String {
        try Yams.serialize(node: convert(node), sortKeys: false)
    }

    static func convert(_ node: Node) -> Yams.Node {
        switch node.value {
        case .null: return Yams.Node("null", Tag(.null))
        case .bool(let b): return Yams.Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Yams.Node(String(i), Tag(.int))
        case .double(let number): return Yams.Node(number.text, Tag(.float))
        case .string(let s):
            let plainReadsAsString: Bool
            if case .string = YAMLReader.resolvePlain(s) { plainReadsAsString = true } else { plainReadsAsString = false }
            return Yams.Node(s, Tag(.str), plainReadsAsString ? .any : .doubleQuoted)
        case .list(let items): return Yams.Node(items.map(convert))
        case .map(let entries): return Yams.Node(entries.map { (Yams.Node($0.key), convert($0.node)) })
        }
    }
}
