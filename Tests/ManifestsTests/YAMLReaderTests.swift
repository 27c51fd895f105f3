import Testing
@testable import Manifests

/// Plain scalars follow YAML 1.2's core schema by berth's own rules, and tags are read as the
/// file wrote them.
@Suite struct YAMLReaderTests {
    static func read(_ text: String) -> (Node?, [String]) {
        var diagnostics = Diagnostics()
        let node = YAMLReader().read(Array(text.utf8), file: "f.yaml", into: &diagnostics)
        return (node, diagnostics.errors.map { "\($0.location): \($0.message)" })
    }

    @Test func plainScalarsFollowTheCoreSchema() throws {
        let (node, errors) = Self.read("{a: 0x1F, b: 0x-1F, c: 0o17, d: 0o+7, e: -.5, f: '12', g: !!str 12, h: yes, i: 1e3}")
        #expect(errors.isEmpty)
        let map = try #require(node)
        #expect(map["a"]?.scalarText == "31" && map["c"]?.scalarText == "15")
        for key in ["b", "d", "f", "g", "h"] { #expect(map[key]?.string != nil, "\(key) should stay text") }
        if case .double(let number)? = map["e"]?.value { #expect(number.value == -0.5) } else { Issue.record("-.5 is a number") }
        if case .double(let number)? = map["i"]?.value { #expect(number.value == 1000) } else { Issue.record("1e3 is a number") }
    }

    @Test func keysTheSameToBerthAreDuplicatesWhateverTheirTags() {
        let (_, errors) = Self.read("a: 1\n1: x\n!!int 1: y\n")
        #expect(errors.contains { $0.hasPrefix("f.yaml:3:") && $0.contains("duplicate key '1'") }, "\(errors)")
        let (_, refused) = Self.read("x: !!binary aGk=\n")
        #expect(refused.contains { $0.contains("YAML tag '!!binary' is not supported") }, "\(refused)")
    }
}
