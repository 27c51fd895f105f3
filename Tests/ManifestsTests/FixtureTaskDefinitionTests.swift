import BerthTestSupport
import Foundation
import Testing
@testable import Manifests

/// Every real task definition in ../shared/fixtures/taskdefs, used as a service's task
/// definition, renders to what it says (minus output-only fields); the templated ones fail
/// with an error that names their placeholder.
@Suite struct FixtureTaskDefinitionTests {
    static let folder = sharedFolder + "/fixtures/taskdefs"
    static let templates: Set<String> = ["05", "39", "49", "57"]

    static var fixtures: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    static func manifests(with fixture: String) throws -> [String: String] {
        let text = try String(contentsOfFile: folder + "/" + fixture, encoding: .utf8)
        return [
            "berth.yaml": "version: 1\n",
            "environments/test/environment.yaml": "target: {local: {}}\n",
            "environments/test/svc.yaml": "{}\n",
            "services/svc/service.yaml": "taskDefinitionFile: task-definition.json\n",
            "services/svc/task-definition.json": text,
        ]
    }

    @Test func thereAreFixtures() {
        #expect(Self.fixtures.count >= 30)
    }

    @Test(arguments: fixtures.filter { !templates.contains(String($0.prefix(2))) })
    func plainFixtureRendersToItsOwnContent(_ fixture: String) throws {
        let loaded = load(try Self.manifests(with: fixture), prefix: "manifests/")
        // Pasted task definitions often leave the image to CI: with no overlay supplying one, the
        // environment cannot be registered, and that is the error. A CLI skeleton (every number
        // 0) also holds values ECS refuses, such as a health check interval of 0, and a tag
        // with an empty key.
        let expected = loaded.diagnostics.errors.filter {
            $0.message.contains("has no image in") || $0.message.contains("has an empty image in") || $0.message.contains("is out of range")
                || $0.message.contains("a tag needs a key")
        }
        #expect(loaded.diagnostics.errors.count == expected.count, "\(loaded.diagnostics.errors)")
        guard expected.isEmpty else { return }
        let rendered = try #require(loaded.rendered(environment: "test").first)

        var input = try #require(parseJSON(try String(contentsOfFile: Self.folder + "/" + fixture, encoding: .utf8)))
        if let wrapped = input["taskDefinition"] {
            let tags = input["tags"]
            input = wrapped
            if let tags, !(tags.items ?? []).isEmpty { input = input.setting("tags", to: tags) }
        }
        for name in BerthShapes.outputOnlyTaskDefinitionFields { input = input.removing(name) }
        if input["family"] == nil { input = input.setting("family", to: Node(.string("test-svc"), at: input.location)) }
        #expect(rendered.taskDefinition.sameContent(as: input.droppingNulls()))

        // What `render` prints reads back as the same content.
        let printed = try #require(parseJSON(JSONWriter.write(rendered.taskDefinition)))
        #expect(printed.sameContent(as: rendered.taskDefinition))
        let yaml = try #require(parseJSON(YAMLWriter.write(rendered.taskDefinition)))
        #expect(yaml.sameContent(as: rendered.taskDefinition))

        // Output-only fields were reported, once each, at their own line.
        let outputOnly = loaded.diagnostics.warnings.filter { $0.message.contains("output of DescribeTaskDefinition") }
        for warning in outputOnly {
            #expect(warning.location.file == "manifests/services/svc/task-definition.json")
            #expect(warning.location.line > 1)
        }
    }

    @Test(arguments: fixtures.filter { templates.contains(String($0.prefix(2))) })
    func templatedFixtureFailsNamingThePlaceholder(_ fixture: String) throws {
        let loaded = load(try Self.manifests(with: fixture))
        #expect(loaded.blockedEnvironments.contains("test"))
        let errors = loaded.diagnostics.errors
        #expect(!errors.isEmpty)
        let names = errors.map(\.message).filter {
            $0.contains("placeholder {{") || $0.contains("placeholder <") || $0.contains("unknown variable '${")
        }
        #expect(!names.isEmpty, "\(errors)")
        #expect(errors.allSatisfy { $0.location.file.hasSuffix("task-definition.json") && $0.location.line >= 1 })
    }
}
