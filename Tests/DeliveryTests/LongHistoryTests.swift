import Foundation
import Git
import Manifests
import Testing
@testable import Delivery

/// `berth log` on a history of 1,000 commits matches what the test made. (Its speed is a
/// benchmark's business, not a test's.)
@Suite struct LongHistoryTests {
    @Test func aThousandCommits() throws {
        let folder = ScratchFolderRef()
        let repo = try Repository.create(at: folder.path, bare: true)
        let who = Signature(name: "Dev", email: "dev@example.com")
        var files = twoEnvironments()
        files["environments/staging/environment.yaml"] = "target: {local: {cluster: staging}}\nrelease: {version: \"0\"}\n"
        files["environments/prod/environment.yaml"] = "target: {local: {cluster: prod}}\nrelease: {version: \"0\"}\n"
        var tip = try repo.commit(
            changes: files.sorted { $0.key < $1.key }.map { .write("manifests/" + $0.key, $0.value) },
            onto: "main", expectedTip: nil, message: "start", author: who)
        var expectedProd: [ObjectID] = [tip]
        var expectedStaging: [ObjectID] = [tip]
        for i in 1..<1000 {
            let change: FileChange
            switch i % 10 {
            case 0:  // prod's release
                change = .write("manifests/environments/prod/environment.yaml", "target: {local: {cluster: prod}}\nrelease: {version: \"\(i)\"}\n")
            case 5:  // the shared base: both environments
                change = .write(
                    "manifests/services/api/service.yaml",
                    "taskDefinition:\n  containerDefinitions:\n    - {name: app, image: \"registry.example.com/shop/api:${release.version}\", memory: \(128 + i)}\n"
                )
            case 7:  // not the manifests at all
                change = .write("README.md", "revision \(i)\n")
            case 8:  // a comment: the files change, what runs does not
                change = .write("manifests/environments/prod/api.yaml", "# note \(i)\nservice: {desiredCount: 2}\n")
            default:  // staging's release
                change = .write(
                    "manifests/environments/staging/environment.yaml", "target: {local: {cluster: staging}}\nrelease: {version: \"\(i)\"}\n")
            }
            tip = try repo.commit(changes: [change], onto: "main", expectedTip: tip, message: "change \(i)", author: who)
            switch i % 10 {
            case 0: expectedProd.append(tip)
            case 5: expectedProd.append(tip); expectedStaging.append(tip)
            case 7, 8: break
            default: expectedStaging.append(tip)
            }
        }
        let log = DeploymentLog(repositoryPath: folder.path, manifestPath: "manifests")
        let prod = try log.entries(environment: "prod")
        #expect(prod.map(\.commit) == expectedProd.reversed().map(\.hex))
        let staging = try log.entries(environment: "staging")
        #expect(staging.map(\.commit) == expectedStaging.reversed().map(\.hex))
        #expect(prod.first?.services.first?.fields == ["containerDefinitions[app].memory"])  // 995: the base file
        #expect(prod.dropFirst().first?.services.first?.fields == ["containerDefinitions[app].image"])  // 990: prod's release
        #expect(try log.entries(environment: "prod", service: "api").count == expectedProd.count)

        // A reader that stops (`berth log | head`) stops the walk on its thread too: the error
        // comes back after the first entry, with every entry of every environment still there.
        struct Closed: Error {}
        var shown = 0
        #expect(throws: Closed.self) {
            try log.forEachEntry { _ in
                shown += 1
                throw Closed()
            }
        }
        #expect(shown == 1)
        #expect(try log.entries().count == prod.count + staging.count)
    }
}
