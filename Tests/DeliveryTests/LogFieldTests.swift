import Canonical
import ECSModel
import Foundation
import Git
import Manifests
import Testing
@testable import Delivery

/// The fields `berth log` names for a change, when the image, the service's settings, or both
/// changed from one commit to the next (the settings of an unchanged service's rendering are
/// not canonicalized again, and must still be told apart byte for byte).
@Suite struct LogFieldTests {
    @Test func imageSettingsAndBoth() throws {
        let folder = ScratchFolderRef()
        let repo = try Repository.create(at: folder.path, bare: true)
        let who = Signature(name: "Dev", email: "dev@example.com")
        func overlay(_ version: String, count: Int, platform: String) -> FileChange {
            .write(
                "manifests/environments/prod/api.yaml",
                "images: {app: \"registry.example.com/shop/api:\(version)\"}\nservice: {desiredCount: \(count), platformVersion: \"\(platform)\"}\n")
        }
        var tip = try repo.commit(
            changes: twoEnvironments().filter { $0.key != "environments/prod/api.yaml" }.sorted { $0.key < $1.key }
                .map { .write("manifests/" + $0.key, $0.value) } + [overlay("1", count: 2, platform: "caf\u{E9}")],
            onto: "main", expectedTip: nil, message: "start", author: who)
        // Each step, and the fields its entry must name.
        let steps: [(FileChange, [String])] = [
            (overlay("2", count: 2, platform: "caf\u{E9}"), ["containerDefinitions[app].image"]),
            (overlay("2", count: 3, platform: "caf\u{E9}"), ["service.desiredCount"]),
            (overlay("3", count: 4, platform: "caf\u{E9}"), ["containerDefinitions[app].image", "service.desiredCount"]),
            (overlay("4", count: 4, platform: "caf\u{E9}"), ["containerDefinitions[app].image"]),
            // Equal to Swift, not byte for byte: a change to what ECS is sent (and to the
            // settings' hash), so the service is listed, though the field diff finds no field.
            (overlay("4", count: 4, platform: "cafe\u{301}"), []),
            (overlay("5", count: 4, platform: "cafe\u{301}"), ["containerDefinitions[app].image"]),
        ]
        for (index, (change, _)) in steps.enumerated() {
            tip = try repo.commit(changes: [change], onto: "main", expectedTip: tip, message: "step \(index)", author: who)
        }
        let entries = try DeploymentLog(repositoryPath: folder.path, manifestPath: "manifests").entries(environment: "prod")
        #expect(entries.count == steps.count + 1)
        for (entry, (_, fields)) in zip(entries, steps.reversed()) {
            #expect(entry.services.map(\.service) == ["api"], "\(entry.subject)")
            #expect(entry.services.first?.fields == fields, "\(entry.subject)")
        }
    }

    /// A rendering that differs from another only in container images has the other's
    /// canonical task definition with those images replaced (what the log then uses instead of
    /// making the form again); anything else differing, and it is made again.
    @Test func anImageOnlyChangeKeepsTheOtherCanonicalForm() throws {
        let base = """
            taskDefinition:
              networkMode: awsvpc
              containerDefinitions:
                - name: app
                  image: "registry.example.com/shop/api:${release.version}"
                  memory: 256
                  portMappings: [{containerPort: 8080}, {containerPort: 443}]
                  environment: [{name: B, value: "2"}, {name: A, value: "1"}]
                - {name: log-router, image: "fluent/fluent-bit:2.1", essential: false, memory: 64}
            service: {desiredCount: 1}

            """
        func rendered(_ overlay: String, release: String = "1.0.0") throws -> RenderedService {
            var files = twoEnvironments()
            files["services/api/service.yaml"] = base
            files["environments/prod/environment.yaml"] = "target: {local: {cluster: prod}}\nrelease: {version: \"\(release)\"}\n"
            files["environments/prod/api.yaml"] = overlay
            let loaded = ManifestLoader().load(ManifestFiles(files: files.mapValues { .data(Array($0.utf8)) }, displayPrefix: ""))
            return try #require(loaded.rendered(environment: "prod").first { $0.service == "api" }, "\(loaded.diagnostics.items)")
        }
        let start = try rendered("{}\n")
        let startForm = TaskDefinitionCanonical.canonical(try start.registerRequest())
        let alike: [(String, String)] = [
            ("{}\n", "1.1.0"),
            ("images: {log-router: \"fluent/fluent-bit:2.2\"}\n", "1.0.0"),
            ("images: {app: \"registry.example.com/shop/api:caf\u{E9}\", log-router: \"fluent/fluent-bit:2.2\"}\n", "1.0.0"),
        ]
        for (overlay, release) in alike {
            let next = try rendered(overlay, release: release)
            let changes = try #require(next.imageChanges(from: start), "\(overlay) \(release)")
            let replaced = try #require(TaskDefinitionCanonical.replacingImages(in: startForm, changes))
            let made = TaskDefinitionCanonical.canonical(try next.registerRequest())
            #expect(replaced.canonicalBytes == made.canonicalBytes, "\(overlay) \(release)")
        }
        let unlike = [
            "taskDefinition: {containerDefinitions: [{name: app, memory: 512}]}\nimages: {app: \"r/api:2\"}\n",
            "taskDefinition: {cpu: \"256\"}\nimages: {app: \"r/api:2\"}\n",
        ]
        for overlay in unlike { #expect(try rendered(overlay).imageChanges(from: start) == nil, "\(overlay)") }
        // No image changed (the settings did, or nothing): nothing to replace.
        #expect(try rendered("service: {desiredCount: 2}\n").imageChanges(from: start) == nil)
        #expect(try rendered("{}\n").imageChanges(from: start) == nil)
    }

    /// A form the images cannot be replaced in is made again: a container name twice (which
    /// one was meant is not known), or an image the form does not hold as expected.
    @Test func imagesAreReplacedOnlyWhereTheFormHoldsThemOnce() {
        func form(_ containers: [(String, String)]) -> JSONValue {
            let listed = containers.map { JSONValue.object(["name": .string($0), "image": .string($1)]) }
            return .object(["family": .string("api"), "containerDefinitions": .array(listed)])
        }
        let change = ["app": (old: "r/app:1", new: "r/app:2")]
        #expect(TaskDefinitionCanonical.replacingImages(in: form([("app", "r/app:1"), ("app", "r/app:1")]), change) == nil)
        #expect(TaskDefinitionCanonical.replacingImages(in: form([("app", "r/app:0")]), change) == nil)
        #expect(TaskDefinitionCanonical.replacingImages(in: form([("web", "r/app:1")]), change) == nil)
        #expect(
            TaskDefinitionCanonical.replacingImages(in: form([("app", "r/app:1"), ("log", "r/log:1")]), change)
                == form([("app", "r/app:2"), ("log", "r/log:1")]))
    }
}
