import ECSModel
import Foundation

/// Decodes a typed value straight from a manifest node, as `JSONDecoder` would from the node
/// written as JSON text, without the text: making every rendered service's typed requests
/// through text was a sixth of a cold plan. A value of the wrong type fails with the path to
/// it and where the manifest wrote it.
struct NodeDecoder: Decoder {
    let node: Node
    /// Where the node sits: its container's path and its own key.
    let parent: CodingKeyPath
    let key: (any CodingKey)?
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    var codingPath: [any CodingKey] { parent.keys(then: key) }

    init(_ node: Node, parent: CodingKeyPath = CodingKeyPath(), key: (any CodingKey)? = nil) {
        self.node = node
        self.parent = parent
        self.key = key
    }

    static func decode<T: Decodable>(_ type: T.Type, from node: Node) throws -> T {
        try T(from: NodeDecoder(node))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .map(let entries) = node.value else { throw mismatch([String: Any].self, node, codingPath) }
        return KeyedDecodingContainer(KeyedNodeContainer<Key>(entries: entries, path: parent.appending(key)))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .list(let items) = node.value else { throw mismatch([Any].self, node, codingPath) }
        return UnkeyedNodeContainer(items: items, path: parent.appending(key))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { single }
}

private func mismatch(_ type: Any.Type, _ node: Node, _ path: [any CodingKey]) -> DecodingError {
    .typeMismatch(type, .init(codingPath: path, debugDescription: "expected \(type) at \(node.location)"))
}

/// A JSON number as `T`, when it is one exactly (as `JSONDecoder` takes `3.0` for an `Int`).
private func number<T: BinaryInteger>(_ type: T.Type, _ node: Node, _ path: [any CodingKey]) throws -> T {
    switch node.value {
    case .int(let i): if let exact = T(exactly: i) { return exact }
    case .double(let number): if let exact = T(exactly: number.value) { return exact }
    default: break
    }
    throw mismatch(type, node, path)
}

/// A number too large for a double (`1e400`) fails, as JSONDecoder fails on it.
private func floating(_ node: Node, _ path: [any CodingKey]) throws -> Double {
    switch node.value {
    case .int(let i): return Double(i)
    case .double(let number) where number.value.isFinite: return number.value
    default: throw mismatch(Double.self, node, path)
    }
}

private struct SingleNodeContainer: SingleValueDecodingContainer {
    let node: Node
    let parent: CodingKeyPath
    let key: (any CodingKey)?
    var codingPath: [any CodingKey] { parent.keys(then: key) }

    func decodeNil() -> Bool { node.isNull }
    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let b) = node.value else { throw mismatch(type, node, codingPath) }
        return b
    }
    func decode(_ type: String.Type) throws -> String {
        guard case .string(let s) = node.value else { throw mismatch(type, node, codingPath) }
        return s
    }
    func decode(_ type: Double.Type) throws -> Double { try floating(node, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { Float(try floating(node, codingPath)) }
    func decode(_ type: Int.Type) throws -> Int { try number(type, node, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try number(type, node, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try number(type, node, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try number(type, node, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try number(type, node, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try number(type, node, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try number(type, node, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try number(type, node, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try number(type, node, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try number(type, node, codingPath) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: NodeDecoder(node, parent: parent, key: key)) }
}

private struct KeyedNodeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let entries: [Node.Entry]
    let path: CodingKeyPath
    var codingPath: [any CodingKey] { path.keys() }

    /// The value of `key`: the last one written, as `Node`'s own lookups take it (the reader
    /// refuses a file that writes a key twice).
    private func value(_ key: Key) -> Node? {
        // By index, and the key's name made once: a closure over the entries copied each one
        // it looked at, and an ECS request asks for every one of its keys.
        let name = key.stringValue
        var index = entries.endIndex
        while index > entries.startIndex {
            index -= 1
            if entries[index].key == name { return entries[index].node }
        }
        return nil
    }

    private func required(_ key: Key) throws -> Node {
        guard let node = value(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no value for \(key.stringValue)"))
        }
        return node
    }

    private func single(_ key: Key) throws -> SingleNodeContainer {
        SingleNodeContainer(node: try required(key), parent: path, key: key)
    }

    /// The value of `key` unless it is missing or null, looked up once (the protocol's own
    /// `decodeIfPresent` looks it up three times, and an ECS request is mostly optionals).
    private func present(_ key: Key) -> SingleNodeContainer? {
        guard let node = value(key), !node.isNull else { return nil }
        return SingleNodeContainer(node: node, parent: path, key: key)
    }

    var allKeys: [Key] { entries.compactMap { Key(stringValue: $0.key) } }
    func contains(_ key: Key) -> Bool { value(key) != nil }
    func decodeNil(forKey key: Key) throws -> Bool { try required(key).isNull }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try single(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try single(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try single(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try single(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try single(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try single(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try single(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try single(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try single(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try single(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try single(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try single(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try single(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try single(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try single(key).decode(type) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key)?.decode(type) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(key)?.decode(type) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try present(key)?.decode(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(try required(key), parent: path, key: key).container(keyedBy: type)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try NodeDecoder(try required(key), parent: path, key: key).unkeyedContainer()
    }
    func superDecoder() throws -> any Decoder {
        NodeDecoder(Node(.map(entries), at: entries.first?.keyLocation ?? .init(file: "")), parent: path)
    }
    func superDecoder(forKey key: Key) throws -> any Decoder { NodeDecoder(try required(key), parent: path, key: key) }
}

private struct UnkeyedNodeContainer: UnkeyedDecodingContainer {
    let items: [Node]
    let path: CodingKeyPath
    var currentIndex = 0
    var codingPath: [any CodingKey] { path.keys() }

    init(items: [Node], path: CodingKeyPath) {
        self.items = items
        self.path = path
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    private struct Index: CodingKey {
        let intValue: Int?
        var stringValue: String { "Index \(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }

    /// The next item's decoder; the index moves on only when decoding it succeeds.
    private mutating func next<T>(_ body: (NodeDecoder) throws -> T) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(T.self, .init(codingPath: path.keys(then: Index(currentIndex)), debugDescription: "the list has ended"))
        }
        let value = try body(NodeDecoder(items[currentIndex], parent: path, key: Index(currentIndex)))
        currentIndex += 1
        return value
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: String.Type) throws -> String { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: Double.Type) throws -> Double { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: Float.Type) throws -> Float { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: Int.Type) throws -> Int { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next { try $0.single.decode(type) } }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next { try $0.single.decode(type) } }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next { try T(from: $0) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next { try $0.container(keyedBy: type) }
    }
    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next { try $0.unkeyedContainer() } }
    mutating func superDecoder() throws -> any Decoder { try next { $0 } }
}

extension NodeDecoder {
    fileprivate var single: SingleNodeContainer { SingleNodeContainer(node: node, parent: parent, key: key) }
}
