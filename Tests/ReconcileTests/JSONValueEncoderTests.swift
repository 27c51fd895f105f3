import BerthTestSupport
@testable import Canonical
import ECSModel
import Foundation
import Testing

/// Encoding straight into a `JSONValue` gives what encoding with `JSONEncoder` and reading the
/// text back gave, on real task definitions and ECS responses and on the types JSONEncoder
/// treats on their own.
@Suite struct JSONValueEncoderTests {
    static func throughText<T: Encodable>(_ value: T) -> JSONValue? {
        guard let data = try? JSONEncoder().encode(value) else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: data)
    }

    static func files(_ folder: String) -> [Data] {
        let path = sharedFolder + "/fixtures/" + folder
        return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().filter { $0.hasSuffix(".json") }
            .compactMap { FileManager.default.contents(atPath: path + "/" + $0) }
    }

    @Test func realTaskDefinitionsAndResponses() throws {
        var compared = 0
        for data in Self.files("taskdefs") {
            guard let typed = try? JSONDecoder().decode(ECSAPI.RegisterTaskDefinitionRequest.self, from: data) else { continue }
            #expect(try JSONValueEncoder.encode(typed) == Self.throughText(typed))
            compared += 1
        }
        for data in Self.files("ecs-responses/extracted") {
            if let typed = try? JSONDecoder().decode(ECSAPI.DescribeServicesResponse.self, from: data) {
                #expect(try JSONValueEncoder.encode(typed) == Self.throughText(typed))
                compared += 1
            }
            if let typed = try? JSONDecoder().decode(ECSAPI.DescribeTaskDefinitionResponse.self, from: data) {
                #expect(try JSONValueEncoder.encode(typed) == Self.throughText(typed))
                compared += 1
            }
        }
        #expect(compared > 20)
    }

    struct Odd: Codable {
        var data = Data([0, 1, 2, 250])
        var url = URL(string: "https://example.com/a?b=c")!
        var float: Float = 0.1
        var double = 1e-7
        var date = Date(timeIntervalSince1970: 1_700_000_000.5)
        var big: Int64 = 9_007_199_254_740_993
        var small: Int8 = -3
        var missing: String? = nil
        var nested: [[String: [Int]]] = [["a": [1, 2]], [:]]
        var flags: [Bool?] = [true, nil, false]
    }

    @Test func typesJSONEncoderTreatsOnItsOwn() throws {
        #expect(try JSONValueEncoder.encode(Odd()) == Self.throughText(Odd()))
        #expect(try JSONValueEncoder.encode([Float(1.5), 3.25, 0.3]) == Self.throughText([Float(1.5), 3.25, 0.3]))
        #expect(throws: EncodingError.self) { try JSONValueEncoder.encode(Double.nan) }
        #expect(JSONValue.from(Double.infinity) == .null)
    }
}
