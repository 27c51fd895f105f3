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
}
