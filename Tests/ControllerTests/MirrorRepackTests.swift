import AWS
import BerthTestSupport
import Foundation
import Git
import Records
import Testing
@testable import Controller

/// Each fetch leaves objects in the controller's mirror (loose, copied from an origin on this
/// machine; a pack, over the network); past the limits they become one pack, and the mirror
/// stays a complete repository (checked by git's own fsck).
@Suite struct MirrorRepackTests {
    static let author = Signature(name: "Dev", email: "dev@example.com")

    /// An origin with one commit on main, and a mirror that fetched it.
    static func originAndMirror(_ folder: ScratchFolder) throws -> (Repository, ObjectID, RepositoryMirror) {
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        let tip = try origin.commit(changes: [.write("berth.yaml", "version: 1\n")], onto: "main", expectedTip: nil, message: "start", author: author)
        let mirror = RepositoryMirror(source: folder.path + "/origin.git", stateDirectory: folder.path + "/state")
        _ = try mirror.sync(branch: "main")
        return (origin, tip, mirror)
    }

    @Test func fetchedObjectsAreFoldedIntoOnePackAndNothingIsLost() throws {
        let folder = ScratchFolder()
        let (origin, first, mirror) = try Self.originAndMirror(folder)
        var tip = first
        // A note fetched from the origin, and an annotated tag in the mirror (the mirror fetches
        // branches and notes only, but a repack must keep whatever a reference holds).
        try origin.setNote("{\"berth\": 1}", on: tip, author: Self.author)
        #expect(
            try GitCLI.run([
                "-C", mirror.path, "-c", "user.name=Dev", "-c", "user.email=dev@example.com",
                "tag", "-a", "v1", "-m", "first release", tip.hex,
            ]).status == 0)

        let fetches = RepositoryMirror.packLimit + 5
        for index in 1...fetches {
            tip = try origin.commit(
                changes: [.write("services/s\(index)/service.yaml", "taskDefinition: {}\n")], onto: "main",
                expectedTip: tip, message: "commit \(index)", author: Self.author)
            #expect(try mirror.sync(branch: "main") == tip)
            #expect(try mirror.compact() == nil, "under the limits nothing is repacked")
        }
        #expect(looseObjectFiles(mirror.path) >= fetches * 3, "a local fetch copies what it lacks: the commit and its new trees")
        // Past the loose limit it repacks; right after, what it left loose is the baseline.
        let result = try #require(try mirror.compact(looseLimit: -1))
        #expect(result.looseLeft == 0)
        #expect(try mirror.compact(looseLimit: 0, baseline: result.looseLeft) == nil)
        let repo = try Repository.open(at: mirror.path)
        #expect(repo.packCount == 1, "\(repo.packCount) packs")
        #expect(looseObjectFiles(mirror.path) == 0, "every loose object is in the pack, and is removed")
        // Everything reachable is still there, as git itself sees it.
        let fsck = try GitCLI.run(["-C", mirror.path, "fsck", "--full", "--strict"])
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(try repo.history(from: tip).count == fetches + 1)
        #expect(try repo.file(at: tip, path: "services/s1/service.yaml") != nil)
        // The origin's notes are fetched to berth's own ref, never over the notes it writes.
        #expect(try repo.note(on: repo.history(from: tip).last!.id, ref: NotesRecorder.originNotesRef) == "{\"berth\": 1}")
        #expect(try GitCLI.run(["-C", mirror.path, "cat-file", "-t", "refs/tags/v1"]).output.hasPrefix("tag"))
        // And it keeps fetching: a branch comes and goes, and a force-push moves main back.
        let feature = try origin.commit(
            changes: [.write("berth.yaml", "version: 1\n# feature\n")], onto: "feature", expectedTip: nil,
            message: "feature", author: Self.author)
        #expect(try mirror.sync(branch: "main") == tip)
        #expect(try repo.referenceTarget("refs/heads/feature") == feature)
        try origin.deleteReference("refs/heads/feature")
        let parent = try repo.commit(tip).parents[0]
        try origin.moveReference("refs/heads/main", to: parent, expected: tip, logMessage: "force-push")
        #expect(try mirror.sync(branch: "main") == parent)
        #expect(try repo.referenceTarget("refs/heads/feature") == nil, "pruned")
        let fsckAfter = try GitCLI.run(["-C", mirror.path, "fsck", "--full", "--strict"])
        #expect(fsckAfter.status == 0, "\(fsckAfter.output)")
    }
    /// Past the first whole repack, what arrives goes into packs of its own (loose objects and
    /// the packs fetches brought alike), until they reach half the whole one's size.
    @Test func laterRepacksPackWhatArrivedNotTheWholeHistory() throws {
        let folder = ScratchFolder()
        let origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        let author = Signature(name: "Dev", email: "dev@example.com")
        var tip = try origin.commit(
            changes: (1...200).map { .write("services/s\($0)/service.yaml", "taskDefinition: {cpu: \($0)}\n") }, onto: "main",
            expectedTip: nil, message: "start", author: author)
        let mirror = RepositoryMirror(source: folder.path + "/origin.git", stateDirectory: folder.path + "/state")
        _ = try mirror.sync(branch: "main")
        let whole = try #require(try mirror.compact(looseLimit: -1))
        #expect(whole.packed.packs.count == 1 && whole.packed.tips.contains(tip))

        // Loose objects from local fetches, and a pack as a fetch over the network leaves one.
        for index in 1...3 {
            tip = try origin.commit(
                changes: [.write("services/s\(index)/service.yaml", "taskDefinition: {cpu: \(index * 1000)}\n")], onto: "main",
                expectedTip: tip, message: "change \(index)", author: author)
            _ = try mirror.sync(branch: "main")
        }
        tip = try origin.commit(
            changes: [.write("berth.yaml", "version: 1\n")], onto: "main", expectedTip: tip, message: "fetched as a pack", author: author)
        #expect(try GitCLI.run(["-C", mirror.path, "-c", "fetch.unpackLimit=1", "fetch", "-q", "origin", "+refs/heads/*:refs/heads/*"]).status == 0)
        let repo = try Repository.open(at: mirror.path)
        #expect(repo.packCount == 2)

        let arrived = try #require(try mirror.compact(limit: 0, packed: whole.packed))
        #expect(arrived.objects < 40, "\(arrived.objects) objects: only what arrived, not the 200 services again")
        #expect(arrived.replacedPacks == 1, "the fetch's pack")
        #expect(arrived.packed.packs.isSuperset(of: whole.packed.packs) && arrived.packed.packs.count == 2)
        #expect(repo.packCount == 2 && looseObjectFiles(mirror.path) == 0)
        let fsck = try GitCLI.run(["-C", mirror.path, "fsck", "--full", "--strict"])
        #expect(fsck.status == 0, "\(fsck.output)")
        #expect(try repo.history(from: tip).count == 5)

        // The next arrivals would go on their own too (the whole pack is far the larger);
        // without what was packed (a restart), everything is one pack again.
        #expect(RepositoryMirror.wholeIsLarger(arrived.packed, in: repo))
        let again = try #require(try mirror.compact(limit: 0, packed: nil))
        #expect(again.objects > 200 && again.packed.packs.count == 1 && repo.packCount == 1)
        #expect(try GitCLI.run(["-C", mirror.path, "fsck", "--full", "--strict"]).status == 0)
    }

    /// The controller's repacks run on a thread of their own while fetches and notes go on:
    /// repacking after every fetch, the mirror still holds every commit and note, as git's
    /// fsck sees it.
    @Test func repacksBesideFetchesAndNotesLoseNothing() async throws {
        let folder = ScratchFolder()
        let (origin, first, mirror) = try Self.originAndMirror(folder)
        var tip = first
        let compactor = MirrorCompactor(
            mirror: mirror, logger: .init(label: "test"), metrics: ControllerMetrics(calls: CallCounter()), limits: (0, -1))
        let recorder = NotesRecorder(repositoryPath: mirror.path)
        let commits = 40
        for index in 1...commits {
            tip = try origin.commit(
                changes: [.write("services/s\(index)/service.yaml", "taskDefinition: {}\n")], onto: "main",
                expectedTip: tip, message: "commit \(index)", author: Self.author)
            #expect(try mirror.sync(branch: "main") == tip)
            compactor.compactIfDue()
            let record = DeploymentRecord(
                environment: "prod", service: "s\(index)", taskDefinitionArn: "arn:aws:ecs:us-east-1:1:task-definition/s\(index):1",
                specHash: "s", settingsHash: "t", deploymentId: nil, started: Date(), finished: Date(), outcome: .converged,
                reason: nil, target: "local", trigger: .poll)
            _ = try await recorder.record(record, on: tip)
        }
        let deadline = Date().addingTimeInterval(60)
        while compactor.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(!compactor.isRunning)
        let repo = try Repository.open(at: mirror.path)
        #expect(try repo.history(from: tip).count == commits + 1)
        #expect(try repo.notes().count == commits)
        let fsck = try GitCLI.run(["-C", mirror.path, "fsck", "--full", "--strict"])
        #expect(fsck.status == 0, "\(fsck.output)")
    }
}

/// A pass opens the mirror several times; the last sync's handle keeps its packs parsed in
/// between (libgit2 frees a pack with the last handle holding it), and lets go of packs a
/// repack replaced: at the repack's end in the controller, at the next sync otherwise.
@Suite struct MirrorHeldPacksTests {
    #if os(Linux)
    @Test func packsStayMappedBetweenPassesAndReplacedOnesAreLetGo() async throws {
        let folder = ScratchFolder()
        let (origin, first, mirror) = try MirrorRepackTests.originAndMirror(folder)
        var tip = first
        let store = URL(fileURLWithPath: mirror.path).resolvingSymlinksInPath().path + "/objects/pack/"
        let replaced = { Self.held(under: store).filter { $0.hasSuffix(" (deleted)") } }
        // The first fetch wrote a pack; a repack of the same objects writes it again under the
        // same name, and the next sync holds the new one, not the one libgit2 had cached.
        try { _ = try Repository.open(at: mirror.path).commit(tip) }()
        _ = try #require(try mirror.compact(looseLimit: -1))
        _ = try mirror.sync(branch: "main")
        #expect(replaced().isEmpty, "\(replaced())")
        // A handle of the pass reads the tip out of the pack, and is closed.
        try { _ = try Repository.open(at: mirror.path).commit(tip) }()
        let held = Self.held(under: store)
        #expect(held.contains { $0.hasSuffix(".idx") }, "the pack's index stays mapped after the handle that read it closed: \(held)")

        // A repack by hand: the pack it replaced stays held until the next sync.
        tip = try Self.commit(on: origin, after: tip, "again")
        _ = try mirror.sync(branch: "main")
        #expect(try #require(try mirror.compact(looseLimit: -1)).replacedPacks == 1)
        #expect(!replaced().isEmpty, "held until the next sync")
        _ = try mirror.sync(branch: "main")
        #expect(replaced().isEmpty, "\(replaced())")

        // The controller's repack lets go of what it replaced when it ends.
        try { _ = try Repository.open(at: mirror.path).commit(tip) }()
        tip = try Self.commit(on: origin, after: tip, "once more")
        _ = try mirror.sync(branch: "main")
        let compactor = MirrorCompactor(
            mirror: mirror, logger: .init(label: "test"), metrics: ControllerMetrics(calls: CallCounter()), limits: (0, -1))
        compactor.compactIfDue()
        let deadline = Date().addingTimeInterval(60)
        while compactor.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(compactor.repacks.count == 1)
        #expect(replaced().isEmpty, "\(replaced())")
        #expect(try Repository.open(at: mirror.path).commit(tip).id == tip)
    }
    #endif

    static func commit(on origin: Repository, after tip: ObjectID, _ message: String) throws -> ObjectID {
        try origin.commit(
            changes: [.write("berth.yaml", "version: 1\n# \(message)\n")], onto: "main", expectedTip: tip, message: message,
            author: MirrorRepackTests.author)
    }

    /// The files under `folder` this process maps or has open, as the kernel names them (a
    /// deleted one ends in " (deleted)").
    static func held(under folder: String) -> Set<String> {
        // Read whole: /proc files read as empty, and a read by that size stops at a page.
        let maps = FileHandle(forReadingAtPath: "/proc/self/maps").map { String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) } ?? ""
        let mapped = maps.split(separator: "\n").compactMap { line in line.firstRange(of: folder).map { String(line[$0.lowerBound...]) } }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        let open = descriptors.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0) }
        return Set(mapped + open.filter { $0.hasPrefix(folder) })
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
