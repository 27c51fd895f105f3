import ECSModel
import Foundation
import Testing
@testable import Manifests

/// Typed requests are decoded straight from the rendered nodes; they must be what decoding the
/// same nodes written as JSON text gives, for every real task definition.
@Suite struct NodeDecoderTests {
    static func throughText<T: Decodable>(_ node: Node, as shape: Shape) throws -> T {
        let json = JSONWriter.write(APIValue.coerce(node.droppingNulls(), shape), pretty: false)
        return try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test(arguments: FixtureTaskDefinitionTests.fixtures)
    func aRealTaskDefinitionDecodesAsThroughJSONText(_ fixture: String) throws {
        var node = try #require(parseJSON(try String(contentsOfFile: FixtureTaskDefinitionTests.folder + "/" + fixture, encoding: .utf8)))
        node = node["taskDefinition"] ?? node
        let shape = Shape.structure(BerthShapes.taskDefinition)
        // A template's placeholders (`"${PORT}"` for a number) fail both ways.
        let direct = try? Self.text(APIValue.decode(node, as: shape) as ECSAPI.RegisterTaskDefinitionRequest)
        let viaText = try? Self.text(Self.throughText(node, as: shape) as ECSAPI.RegisterTaskDefinitionRequest)
        #expect(direct == viaText)
        #expect(direct != nil || FixtureTaskDefinitionTests.templates.contains(String(fixture.prefix(2))))
    }

    @Test func numbersNullsAndUnknownValuesDecodeAsJSONDecoderDoes() throws {
        var diagnostics = Diagnostics()
        let node = try #require(
            YAMLReader().read(
                Array("{cpu: '256', memory: 512.0, containerDefinitions: [{name: app, essential: null, portMappings: [{containerPort: 80}]}]}".utf8),
                file: "td.yaml", into: &diagnostics))
        let shape = Shape.structure(BerthShapes.taskDefinition)
        let direct: ECSAPI.RegisterTaskDefinitionRequest = try APIValue.decode(node, as: shape)
        let viaText: ECSAPI.RegisterTaskDefinitionRequest = try Self.throughText(node, as: shape)
        #expect(try Self.text(direct) == Self.text(viaText))
        let value = try NodeDecoder.decode(JSONValue.self, from: node)
        #expect(value == (try JSONDecoder().decode(JSONValue.self, from: Data(JSONWriter.write(node, pretty: false).utf8))))
    }

    @Test func aValueOfTheWrongTypeNamesWhereItWasWritten() throws {
        var diagnostics = Diagnostics()
        let node = try #require(
            YAMLReader().read(Array("{containerDefinitions: [{name: [not, a, string]}]}".utf8), file: "td.yaml", into: &diagnostics))
        #expect {
            let _: ECSAPI.RegisterTaskDefinitionRequest = try NodeDecoder.decode(ECSAPI.RegisterTaskDefinitionRequest.self, from: node)
        } throws: { error in
            guard case DecodingError.typeMismatch(_, let context) = error else { return false }
            return context.debugDescription.contains("td.yaml:1:")
                && context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue } == ["containerDefinitions", "0", "name"]
        }
        // A missing or null optional is nil, as JSONDecoder has it; a present one is decoded.
        let optional = try #require(
            YAMLReader().read(
                Array("{family: web, cpu: null, containerDefinitions: [{name: app, memory: 512}]}".utf8), file: "td.yaml", into: &diagnostics))
        let request = try NodeDecoder.decode(ECSAPI.RegisterTaskDefinitionRequest.self, from: optional)
        #expect(request.cpu == nil && request.memory == nil && request.containerDefinitions?.first?.memory == 512)
    }

    @Test func aNumberTooLargeForADoubleFailsAsInJSONText() throws {
        var diagnostics = Diagnostics()
        let node = try #require(YAMLReader().read(Array("{hookDetails: 1e400}".utf8), file: "s.yaml", into: &diagnostics))
        #expect(throws: DecodingError.self) { try NodeDecoder.decode(JSONValue.self, from: node) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JSONValue.self, from: Data(JSONWriter.write(node, pretty: false).utf8)) }
    }
}
