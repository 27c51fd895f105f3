import ECSModel
import Foundation

/// Encodes a value straight into a `JSONValue`: what encoding it with Foundation's
/// `JSONEncoder` and decoding the text as a `JSONValue` gives, without writing and parsing the
/// text. Canonical forms and spec hashes start here for every service of every head, and the
/// round trip through text was most of what planning a cold environment cost.
///
/// Where `JSONEncoder` treats a type on its own, so does this: `Data` as Base64, `URL` as its
/// absolute string, `Float` by its description (the text `JSONEncoder` writes), and a
/// non-finite number is an error.
struct JSONValueEncoder {
    static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = Slot()
        try root.store(value, path: CodingKeyPath())
        if case .empty = root.content {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "\(T.self) did not encode any values"))
        }
        return root.value
    }

    /// Where a value is written: a leaf, an object or an array, filled in as the containers
    /// the value asks for are used.
    final class Slot {
        enum Content {
            case empty
            case value(JSONValue)
            case object([String: Slot])
            case array([Slot])
        }

        var content = Content.empty

        var value: JSONValue {
            switch content {
            case .empty: return .object([:])
            case .value(let value): return value
            case .object(let members): return .object(members.mapValues(\.value))
            case .array(let items): return .array(items.map(\.value))
            }
        }

        func store<T: Encodable>(_ value: T, path: CodingKeyPath) throws {
            // By type, not by casting every value: most are strings and numbers the switch
            // below never needs.
            if T.self == Data.self || T.self == URL.self || T.self == Float.self || T.self == Double.self
                || T.self == (any Encodable).self
            {
                switch value {
                case let data as Data: content = .value(.string(data.base64EncodedString()))
                case let url as URL: content = .value(.string(url.absoluteString))
                case let number as Float:
                    guard number.isFinite else { throw Self.nonFinite(number, path) }
                    content = .value(.number(Double("\(number)") ?? Double(number)))
                case let number as Double:
                    guard number.isFinite else { throw Self.nonFinite(number, path) }
                    content = .value(.number(number))
                default: try value.encode(to: SlotEncoder(slot: self, path: path))
                }
                return
            }
            try value.encode(to: SlotEncoder(slot: self, path: path))
        }

        /// The object this slot holds, made when first asked for (a keyed container used twice
        /// writes into the same object, as `JSONEncoder`'s does). The members are taken out of
        /// the slot while one is added, so they are not copied for every member.
        func member(_ key: String) -> Slot {
            var members: [String: Slot] = [:]
            if case .object(let existing) = content {
                if let slot = existing[key] { return slot }
                members = existing
            }
            content = .empty
            let slot = Slot()
            members[key] = slot
            content = .object(members)
            return slot
        }

        func append() -> Slot {
            var items: [Slot] = []
            if case .array(let existing) = content { items = existing }
            content = .empty
            let slot = Slot()
            items.append(slot)
            content = .array(items)
            return slot
        }

        var count: Int {
            if case .array(let items) = content { return items.count }
            return 0
        }

        func becomeObject() { if case .object = content {} else { content = .object([:]) } }
        func becomeArray() { if case .array = content {} else { content = .array([]) } }

        static func nonFinite(_ value: Any, _ path: CodingKeyPath) -> EncodingError {
            EncodingError.invalidValue(value, .init(codingPath: path.keys(), debugDescription: "\(value) is not a valid JSON number"))
        }
    }

    struct SlotEncoder: Encoder {
        let slot: Slot
        let path: CodingKeyPath
        var codingPath: [any CodingKey] { path.keys() }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
            slot.becomeObject()
            return KeyedEncodingContainer(Keyed<Key>(slot: slot, path: path))
        }

        func unkeyedContainer() -> any UnkeyedEncodingContainer {
            slot.becomeArray()
            return Unkeyed(slot: slot, path: path)
        }

        func singleValueContainer() -> any SingleValueEncodingContainer { Single(slot: slot, path: path) }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let slot: Slot
        let path: CodingKeyPath
        var codingPath: [any CodingKey] { path.keys() }

        mutating func encodeNil(forKey key: Key) throws { slot.member(key.stringValue).content = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try slot.member(key.stringValue).store(value, path: path.appending(key))
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let member = slot.member(key.stringValue)
            member.becomeObject()
            return KeyedEncodingContainer(Keyed<NestedKey>(slot: member, path: path.appending(key)))
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let member = slot.member(key.stringValue)
            member.becomeArray()
            return Unkeyed(slot: member, path: path.appending(key))
        }
        mutating func superEncoder() -> any Encoder { SlotEncoder(slot: slot.member("super"), path: path) }
        mutating func superEncoder(forKey key: Key) -> any Encoder { SlotEncoder(slot: slot.member(key.stringValue), path: path.appending(key)) }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let slot: Slot
        let path: CodingKeyPath
        var codingPath: [any CodingKey] { path.keys() }
        var count: Int { slot.count }

        mutating func encodeNil() throws { slot.append().content = .value(.null) }
        mutating func encode<T: Encodable>(_ value: T) throws { try slot.append().store(value, path: path) }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let item = slot.append()
            item.becomeObject()
            return KeyedEncodingContainer(Keyed<NestedKey>(slot: item, path: path))
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let item = slot.append()
            item.becomeArray()
            return Unkeyed(slot: item, path: path)
        }
        mutating func superEncoder() -> any Encoder { SlotEncoder(slot: slot.append(), path: path) }
    }

    struct Single: SingleValueEncodingContainer {
        let slot: Slot
        let path: CodingKeyPath
        var codingPath: [any CodingKey] { path.keys() }

        mutating func encodeNil() throws { slot.content = .value(.null) }
        mutating func encode(_ value: Bool) throws { slot.content = .value(.bool(value)) }
        mutating func encode(_ value: String) throws { slot.content = .value(.string(value)) }
        mutating func encode(_ value: Int) throws { slot.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int64) throws { slot.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int32) throws { slot.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt64) throws { slot.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int8) throws { slot.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Int16) throws { slot.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt) throws { slot.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt8) throws { slot.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt16) throws { slot.content = .value(.number(Double(value))) }
        mutating func encode(_ value: UInt32) throws { slot.content = .value(.number(Double(value))) }
        mutating func encode(_ value: Double) throws { try slot.store(value, path: path) }
        mutating func encode(_ value: Float) throws { try slot.store(value, path: path) }
        mutating func encode<T: Encodable>(_ value: T) throws { try slot.store(value, path: path) }
    }
}
