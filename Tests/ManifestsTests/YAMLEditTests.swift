import Testing
@testable import Manifests

@Suite struct YAMLEditTests {
    func edit(_ text: String, _ path: [String], _ value: String) throws -> String {
        var editor = YAMLEdit(text: text, file: "x.yaml")
        try editor.set(path, to: value)
        return editor.text
    }

    @Test func replacesAValueKeepingCommentsAndQuotes() throws {
        let text = """
            # Production
            target:
              local: {cluster: prod}
            release:
              version: "1.4.0"   # the release
            policy: {protected: true}

            """
        let edited = try edit(text, ["release", "version"], "1.5.0")
        #expect(edited == text.replacingOccurrences(of: "\"1.4.0\"", with: "\"1.5.0\""))
    }

    @Test func flowMappingsAndPlainScalars() throws {
        #expect(try edit("release: {version: 1.4.0, name: x}\n", ["release", "version"], "1.5.0") == "release: {version: 1.5.0, name: x}\n")
        #expect(try edit("images: {app: r/api:1.4.0}\n", ["images", "app"], "r/api:1.5.0") == "images: {app: r/api:1.5.0}\n")
        // A value that would read as a number is quoted.
        #expect(try edit("release: {version: v1}\n", ["release", "version"], "1.5") == "release: {version: \"1.5\"}\n")
    }

    @Test func addsMissingKeys() throws {
        #expect(
            try edit("release:\n  version: \"1\"\nvars: {a: b}\n", ["release", "build"], "42")
                == "release:\n  version: \"1\"\n  build: \"42\"\nvars: {a: b}\n")
        #expect(try edit("service: {desiredCount: 2}\n", ["images", "app"], "r/api:2") == "service: {desiredCount: 2}\nimages:\n  app: r/api:2\n")
        #expect(try edit("images: {web: r/web:1}\n", ["images", "app"], "r/api:2") == "images: {web: r/web:1, app: r/api:2}\n")
        #expect(try edit("# web in prod\n{}\n", ["images", "app"], "r/api:2") == "# web in prod\nimages:\n  app: r/api:2\n")
    }

    @Test func editedFilesStillParseToTheNewValue() throws {
        let edited = try edit("release:\n  version: '1.0' # q\n", ["release", "version"], "it's 2")
        var diagnostics = Diagnostics()
        let node = YAMLReader().read(Array(edited.utf8), file: "x", into: &diagnostics)
        #expect(node?["release"]?["version"]?.string == "it's 2")
    }
}
