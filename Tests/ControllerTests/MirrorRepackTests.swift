import BerthTestSupport
import Foundation
import Git
import Records
import Testing
@testable import Controller

/// Each fetch leaves a pack in the controller's mirror; past the limit they become one, and
/// the mirror stays a complete repository (checked by git's own fsck).
@Suite struct MirrorRepackTests {
    static func git(_ args: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + args
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func fetchedPacksAreFoldedIntoOneAndNothingIsLost() throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        let author = Signature(name: "Dev", email: "dev@example.com")
        var tip = try origin.commit(changes: [.write("berth.yaml", "version: 1\n")], onto: "main", expectedTip: nil, message: "start", author: author)
        let mirror = RepositoryMirror(source: folder.path + "/origin.git", stateDirectory: folder.path + "/state")
        _ = try mirror.sync(branch: "main")
        // A note fetched from the origin, and an annotated tag in the mirror (the mirror fetches
        // branches and notes only, but a repack must keep whatever a reference holds).
        try origin.setNote("{\"berth\": 1}", on: tip, author: author)
        #expect(try Self.git(["-C", mirror.path, "-c", "user.name=Dev", "-c", "user.email=dev@example.com",
                              "tag", "-a", "v1", "-m", "first release", tip.hex]).status == 0)

        let fetches = RepositoryMirror.packLimit + 5
        for index in 1...fetches {
            tip = try origin.commit(changes: [.write("services/s\(index)/service.yaml", "taskDefinition: {}\n")], onto: "main",
                                    expectedTip: tip, message: "commit \(index)", author: author)
            #expect(try mirror.sync(branch: "main") == tip)
            if index == RepositoryMirror.packLimit { #expect(try Repository.open(at: mirror.path).packCount >= RepositoryMirror.packLimit) }
            _ = try mirror.compact()
        }
        let repo = try Repository.open(at: mirror.path)
        #expect(repo.packCount < 10, "\(repo.packCount) packs")
        // Everything reachable is still there, as git itself sees it.
        let fsck = try Self.git(["-C", mirror.path, "fsck", "--full", "--strict"])
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(try repo.history(from: tip).count == fetches + 1)
        #expect(try repo.file(at: tip, path: "services/s1/service.yaml") != nil)
        // The origin's notes are fetched to berth's own ref, never over the notes it writes.
        #expect(try repo.note(on: repo.history(from: tip).last!.id, ref: NotesRecorder.originNotesRef) == "{\"berth\": 1}")
        #expect(try Self.git(["-C", mirror.path, "cat-file", "-t", "refs/tags/v1"]).output.hasPrefix("tag"))
        // And it keeps fetching.
        tip = try origin.commit(changes: [.write("berth.yaml", "version: 1\n# after\n")], onto: "main", expectedTip: tip, message: "after", author: author)
        #expect(try mirror.sync(branch: "main") == tip)
    }
}

/// A URL with credentials in it: they authenticate, and are stored and shown nowhere.
@Suite struct MirrorCredentialTests {
    @Test func credentialsInTheURLAreNeverStoredInTheMirror() throws {
        let folder = ScratchFolder()
        let mirror = RepositoryMirror(source: "http://ana:s3cret-token@127.0.0.1:9/shop.git", stateDirectory: folder.path + "/state")
        #expect(mirror.source == "http://127.0.0.1:9/shop.git")
        #expect(mirror.credentials?.username == "ana" && mirror.credentials?.token == "s3cret-token")
        #expect(mirror.notesRemote.url == "http://127.0.0.1:9/shop.git")
        let error = #expect(throws: (any Error).self) { _ = try mirror.sync(branch: "main") }
        #expect(!"\(String(describing: error))".contains("s3cret-token"))
        let config = try String(contentsOfFile: mirror.path + "/config", encoding: .utf8)
        #expect(config.contains("http://127.0.0.1:9/shop.git"))
        #expect(!config.contains("s3cret-token"))
    }
}
