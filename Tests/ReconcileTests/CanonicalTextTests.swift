@testable import Canonical
import Crypto
import ECSModel
import Foundation
import Testing

/// The canonical text every spec hash is computed over is written by hand; it must stay byte
/// for byte what it was when Foundation's JSONEncoder wrote each string, or every revision
/// berth registered would look changed.
@Suite struct CanonicalTextTests {
    /// The text as it was first written: strings through JSONEncoder, joined as strings.
    static func reference(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n.rounded() == n && abs(n) < 1e15 ? String(Int(n)) : String(n)
        case .string(let s): return String(decoding: (try? JSONEncoder().encode(s)) ?? Data(), as: UTF8.self)
        case .array(let items): return "[" + items.map(reference).joined(separator: ",") + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { reference(.string($0)) + ":" + reference(members[$0]!) }.joined(separator: ",") + "}"
        }
    }

    static func randomString(_ generator: inout SystemRandomNumberGenerator) -> String {
        let pieces: [String] = [
            "a", "Z", "/", "\\", "\"", "\n", "\t", "\r", "\u{08}", "\u{0C}", "\u{00}", "\u{1F}", "\u{7F}", "é", "\u{2028}",
            "😀", "e\u{301}", "${x}", " ", ":", "{", "}",
        ]
        return (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }

    static func randomValue(_ depth: Int, _ generator: inout SystemRandomNumberGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &generator) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2:
            return .number(
                [0, -1, 42, 0.5, 1e20, -3.25, 123_456_789, Double.random(in: -1e6...1e6, using: &generator)].randomElement(using: &generator)!)
        case 3: return .string(randomString(&generator))
        case 4: return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in randomValue(depth + 1, &generator) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &generator) { members[randomString(&generator)] = randomValue(depth + 1, &generator) }
            return .object(members)
        }
    }

    @Test func theTextIsWhatJSONEncoderWrote() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let value = Self.randomValue(0, &generator)
            let expected = Self.reference(value)
            #expect(value.canonicalText == expected)
            let hash = SHA256.hash(data: Array(expected.utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(SpecHash.of(value) == hash)
        }
        // Every control character and ASCII byte, one at a time.
        for byte in 0..<0x80 {
            let value = JSONValue.string(String(UnicodeScalar(UInt8(byte))))
            #expect(value.canonicalText == Self.reference(value), "byte \(byte)")
        }
    }
}
