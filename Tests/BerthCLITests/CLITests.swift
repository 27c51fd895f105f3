import BerthTestSupport
import Foundation
import Testing
import Git

/// The repository's own manifests/ folder.
let exampleManifests: String = {
    var root = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { root.deleteLastPathComponent() }
    return root.appendingPathComponent("manifests").path
}()

final class ScratchRepo {
    let path = NSTemporaryDirectory() + "berth-cli-" + UUID().uuidString
    let repo: Repository
    let author: Signature

    /// A repository whose first commit holds the example manifests under manifests/, made at
    /// `date` (a fixed one gives the same commit ids every run).
    init(date: Date = Date()) throws {
        author = Signature(name: "Dev", email: "dev@example.com", date: date)
        repo = try Repository.create(at: path)
        var changes: [FileChange] = []
        let enumerator = FileManager.default.enumerator(atPath: exampleManifests)!
        while let relative = enumerator.nextObject() as? String {
            let full = exampleManifests + "/" + relative
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: full, isDirectory: &isDir)
            if !isDir.boolValue {
                changes.append(.write("manifests/" + relative, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: full)))))
            }
        }
        try repo.commit(changes: changes, onto: "main", expectedTip: nil, message: "manifests", author: author)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func commit(_ changes: [FileChange], _ message: String, date: Date? = nil) throws -> ObjectID {
        try repo.commit(
            changes: changes, onto: "main", expectedTip: repo.referenceTarget("refs/heads/main"),
            message: message, author: date.map { Signature(name: author.name, email: author.email, date: $0) } ?? author)
    }
}

@Suite struct CLITests {
    @Test func validateAndRenderTheExampleFromACommit() throws {
        let scratch = try ScratchRepo()
        let validate = try berth(["validate", "--path", "manifests"], in: scratch.path)
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout.contains("2 environment(s), 3 service(s), 0 error(s)"))

        for service in ["api", "worker", "web"] {
            let render = try berth(["render", "--path", "manifests", "--env", "prod", "--service", service], in: scratch.path)
            #expect(render.status == 0, "\(render.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(render.stdout.utf8)) as? [String: Any])
            let td = try #require(json["taskDefinition"] as? [String: Any])
            #expect(td["family"] as? String == "prod-\(service)")
            let containers = try #require(td["containerDefinitions"] as? [[String: Any]])
            #expect(!containers.isEmpty)
            let image = containers[0]["image"] as? String ?? ""
            #expect(service == "api" ? image.hasSuffix("/shop/api:1.4.0") : image.hasSuffix(":1.4.0"))
            let settings = try #require(json["serviceSettings"] as? [String: Any])
            #expect(settings["serviceName"] as? String == service)
            #expect(settings["cluster"] as? String == "prod")
        }
        let all = try berth(["render", "--path", "manifests", "--env", "staging", "--output", "yaml"], in: scratch.path)
        #expect(all.status == 0)
        #expect(all.stdout.contains("family: staging-worker"))
        #expect(all.stdout.contains("shop/web:1.5.0"))
    }

    @Test func aBadCommitFailsWithFileLineAndAnEarlierRefStillRenders() throws {
        let scratch = try ScratchRepo()
        let good = try scratch.repo.resolve("main")
        try scratch.commit([.write("manifests/environments/prod/api.yaml", "service:\n  desiredCount: four\n")], "break prod")

        let validate = try berth(["validate", "--path", "manifests"], in: scratch.path)
        #expect(validate.status == 1)
        #expect(validate.stderr.contains("manifests/environments/prod/api.yaml:2:17: error: expected an integer, found the string \"four\""))

        let render = try berth(["render", "--path", "manifests", "--env", "prod"], in: scratch.path)
        #expect(render.status != 0)
        #expect(render.stdout.isEmpty)

        // Staging is unaffected by prod's error.
        #expect(try berth(["render", "--path", "manifests", "--env", "staging"], in: scratch.path).status == 0)
        // The previous commit, by sha and by ancestry, is fine.
        #expect(try berth(["validate", "--path", "manifests", "--ref", good.hex], in: scratch.path).status == 0)
        #expect(try berth(["validate", "--path", "manifests", "--ref", "main~1"], in: scratch.path).status == 0)
    }

    @Test func worktreeReadsUncommittedEditsAndCommitsIgnoreThem() throws {
        let scratch = try ScratchRepo()
        // A plain checkout of the files, then an uncommitted edit.
        let work = scratch.path
        let file = work + "/manifests/environments/staging/web.yaml"
        try FileManager.default.createDirectory(atPath: work + "/manifests/environments/staging", withIntermediateDirectories: true)
        try "service: {desiredCount: 1}\ntaskDefinition: {cpu: \"999\"}\n".write(toFile: file, atomically: true, encoding: .utf8)
        // --worktree needs every file on disk.
        for path in try scratch.repo.listTree(at: scratch.repo.resolve("HEAD"))
        where path.kind == .file && path.path != "manifests/environments/staging/web.yaml" {
            let target = work + "/" + path.path
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(scratch.repo.blob(path.id)).write(to: URL(fileURLWithPath: target))
        }
        let edited = try berth(["validate", "--path", "manifests", "--worktree"], in: work)
        #expect(edited.status == 1)
        #expect(edited.stderr.contains("manifests/environments/staging/web.yaml:2:"))
        #expect(edited.stderr.contains("Fargate does not offer cpu 999"))
        #expect(try berth(["validate", "--path", "manifests"], in: work).status == 0)
    }

    /// Small things that said less than they should.
    @Test func helpPathsAndNotesSayWhatTheyDo() throws {
        let scratch = try ScratchRepo()
        let help = try berth(["apply", "--help"], in: scratch.path)
        #expect(help.stdout.contains("(default: 10m)"), "\(help.stdout)")
        #expect(!help.stdout.contains("Duration(seconds"))
        // An absolute --path inside the repository is the root it names; outside, an error.
        #expect(try berth(["validate", "--path", scratch.path + "/manifests"], in: scratch.path).status == 0)
        let outside = try berth(["validate", "--path", "/tmp"], in: scratch.path)
        #expect(outside.status != 0 && outside.stderr.contains("is outside the repository"), "\(outside.stderr)")
        // validate checks HEAD, and says when the files on disk hold more.
        try #require(try GitCLI.run(["checkout", "--quiet", "-f", "main"], in: scratch.path).status == 0)
        let file = scratch.path + "/manifests/environments/prod/web.yaml"
        try "service: {desiredCount: two}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let validate = try berth(["validate", "--path", "manifests"], in: scratch.path)
        #expect(validate.status == 0)
        #expect(
            validate.stdout.contains("note: validated HEAD; 1 file(s) with uncommitted changes were not checked (use --worktree"),
            "\(validate.stdout)")
        #expect(try berth(["validate", "--path", "manifests", "--worktree"], in: scratch.path).status != 0)
        // A freeze shows in the Markdown plan a pull request carries.
        try scratch.commit([.write("manifests/environments/prod/freeze.yaml", "reason: year-end audit\n")], "freeze prod")
        let markdown = try berth(["plan", "--path", "manifests", "--env", "prod", "--output", "markdown"], in: scratch.path)
        #expect(markdown.stdout.contains("**prod is frozen: year-end audit"), "\(markdown.stdout)")
    }

    @Test func clearErrorsForWrongPathsAndReferences() throws {
        let scratch = try ScratchRepo()
        let wrongPath = try berth(["validate", "--path", "manifest"], in: scratch.path)
        #expect(wrongPath.status != 0)
        #expect(wrongPath.stderr.contains("'manifest' does not exist"))
        let escape = try berth(["validate", "--path", "../.."], in: scratch.path)
        #expect(escape.stderr.contains("leaves the repository root"))
        let badRef = try berth(["validate", "--path", "manifests", "--ref", "nope"], in: scratch.path)
        #expect(badRef.stderr.contains("cannot resolve --ref 'nope'"))
        let noEnv = try berth(["render", "--path", "manifests", "--env", "qa"], in: scratch.path)
        #expect(noEnv.stderr.contains("no environment 'qa' (environments: prod, staging)"))
        let noService = try berth(["render", "--path", "manifests", "--env", "prod", "--service", "billing"], in: scratch.path)
        #expect(noService.stderr.contains("service 'billing' does not run in 'prod'"))
        // An empty log says why when the environment is not there, or the manifests are elsewhere.
        let noLogEnv = try berth(["log", "--path", "manifests", "--env", "qa"], in: scratch.path)
        #expect(
            noLogEnv.stdout.contains("no deployments in qa: there is no environment 'qa' at HEAD (environments: prod, staging)"), "\(noLogEnv.stdout)"
        )
        let noPath = try berth(["log", "--env", "prod"], in: scratch.path)
        #expect(
            noPath.stdout.contains("there is no environments folder at HEAD (manifests are in manifests: pass --path manifests)"), "\(noPath.stdout)")
        // Said before the walk too, where a long history would keep it back.
        #expect(noPath.stderr.contains("note: there is no environments folder at HEAD"), "\(noPath.stderr)")
        #expect(noLogEnv.stderr.contains("note: there is no environment 'qa' at HEAD"), "\(noLogEnv.stderr)")

        // A shallow clone (CI's default checkout) cannot give the history the log reads.
        try scratch.commit([.write("manifests/environments/prod/web.yaml", "service:\n  desiredCount: 4\n")], "scale web")
        let shallow = scratch.path + "-shallow"
        defer { try? FileManager.default.removeItem(atPath: shallow) }
        #expect(try GitCLI.run(["clone", "--quiet", "--depth", "1", "file://" + scratch.path, shallow]).status == 0)
        let log = try berth(["log", "--path", "manifests"], in: shallow)
        #expect(log.status != 0)
        #expect(log.stderr.contains("this is a shallow clone") && log.stderr.contains("git fetch --unshallow"), "\(log.stderr)")
    }

    @Test func readsARepositoryByURL() throws {
        let scratch = try ScratchRepo()
        let run = try berth(["validate", "--repo", "file://" + scratch.path, "--path", "manifests"], in: NSTemporaryDirectory())
        #expect(run.status == 0, "\(run.stderr)")
    }
}
