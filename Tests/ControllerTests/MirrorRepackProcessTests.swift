import AWS
import BerthTestSupport
import Foundation
import Git
import Records
import Testing
@testable import Controller

/// `berth controller` repacks its mirror in a process of its own (`MirrorRepackProcess`): the
/// mirror ends as a repack on a thread leaves it, a repack process that fails changes nothing,
/// and the mirror's lock holds across processes.
@Suite struct MirrorRepackProcessTests {
    /// A program that notes each run, then is `berth`.
    static func recordingBerth(in folder: ScratchFolder) throws -> (program: String, runs: String) {
        let (program, runs) = (folder.path + "/berth-recording", folder.path + "/runs")
        try "#!/bin/sh\necho \"$$ $*\" >> '\(runs)'\nexec '\(berthBinary())' \"$@\"\n".write(toFile: program, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program)
        return (program, runs)
    }

    /// An origin and a mirror that fetched a second commit (loose, as a local fetch copies).
    static func mirrorWithLooseObjects(_ folder: ScratchFolder) throws -> RepositoryMirror {
        let (origin, first, mirror) = try MirrorRepackTests.originAndMirror(folder)
        _ = try origin.commit(
            changes: [.write("services/a/service.yaml", "taskDefinition: {}\n")], onto: "main",
            expectedTip: first, message: "a", author: MirrorRepackTests.author)
        _ = try mirror.sync(branch: "main")
        return mirror
    }

    /// Another process (`flock(1)`) holding `file` for a second; returns once it holds it.
    static func holdLock(_ file: String) throws -> Process {
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [file, "-c", "echo held; sleep 1"]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        _ = output.fileHandleForReading.availableData
        return holder
    }

    static func waitForRepack(_ compactor: MirrorCompactor) async throws {
        let deadline = Date().addingTimeInterval(60)
        while compactor.isRunning && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
        #expect(!compactor.isRunning)
    }

    @Test func aRepackInAProcessOfItsOwnLeavesOnePackAndEverything() async throws {
        let folder = ScratchFolder()
        let (origin, first, mirror) = try MirrorRepackTests.originAndMirror(folder)
        var tip = first
        for index in 1...30 {
            tip = try origin.commit(
                changes: [.write("services/s\(index)/service.yaml", "taskDefinition: {}\n")], onto: "main",
                expectedTip: tip, message: "commit \(index)", author: MirrorRepackTests.author)
            _ = try mirror.sync(branch: "main")
        }
        try origin.setNote("{\"berth\": 1}", on: tip, author: MirrorRepackTests.author)
        _ = try mirror.sync(branch: "main")
        let repo = try Repository.open(at: mirror.path)
        #expect(looseObjectFiles(mirror.path) > 0)

        let (program, runs) = try Self.recordingBerth(in: folder)
        let compactor = MirrorCompactor(
            mirror: mirror, logger: .init(label: "test"), metrics: ControllerMetrics(calls: CallCounter()), limits: (0, -1), program: program)
        compactor.compactIfDue()
        try await Self.waitForRepack(compactor)
        let ran = try String(contentsOfFile: runs, encoding: .utf8).split(separator: "\n")
        #expect(ran.count == 1 && ran[0].contains(" \(MirrorRepackProcess.verb) "), "\(ran)")
        #expect(!ran[0].hasPrefix("\(ProcessInfo.processInfo.processIdentifier) "), "another process")
        #expect(compactor.repacks.count == 1)
        #expect(repo.packCount == 1 && looseObjectFiles(mirror.path) == 0)
        #expect(try repo.history(from: tip).count == 31)
        #expect(try repo.notes(ref: NotesRecorder.originNotesRef).count == 1)
        let fsck = try GitCLI.run(["-C", mirror.path, "fsck", "--full", "--strict"])
        #expect(fsck.status == 0, "\(fsck.output)")

        // What it packed comes back: the next repack packs only what arrived since.
        tip = try origin.commit(
            changes: [.write("services/late/service.yaml", "taskDefinition: {}\n")], onto: "main",
            expectedTip: tip, message: "late", author: MirrorRepackTests.author)
        _ = try mirror.sync(branch: "main")
        compactor.compactIfDue()
        try await Self.waitForRepack(compactor)
        #expect(compactor.repacks.count == 2)
        #expect(repo.packCount == 2, "the whole pack, and one of what arrived")
        #expect(try GitCLI.run(["-C", mirror.path, "fsck", "--full", "--strict"]).status == 0)

        // Asked after every fetch, it starts a process only when a repack is due.
        let usual = MirrorCompactor(mirror: mirror, logger: .init(label: "test"), metrics: ControllerMetrics(calls: CallCounter()), program: program)
        usual.compactIfDue()
        try await Self.waitForRepack(usual)
        #expect(try String(contentsOfFile: runs, encoding: .utf8).split(separator: "\n").count == 2, "two repacks, no third process")
        #expect(usual.repacks.count == 0)
    }

    /// A repack process that dies, or answers nonsense, is a failed repack: the mirror is as it
    /// was, and the next fetch's repack tries again.
    @Test func aRepackProcessThatFailsChangesNothing() async throws {
        let folder = ScratchFolder()
        let mirror = try Self.mirrorWithLooseObjects(folder)
        let loose = looseObjectFiles(mirror.path)
        for script in ["kill -9 $$", "echo '{\"result\": {\"objects\": 1}}'", "echo 'not json'; exit 0"] {
            let program = folder.path + "/failing"
            try "#!/bin/sh\n\(script)\n".write(toFile: program, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: program)
            let compactor = MirrorCompactor(
                mirror: mirror, logger: .init(label: "test"), metrics: ControllerMetrics(calls: CallCounter()), limits: (0, -1),
                program: program)
            compactor.compactIfDue()
            try await Self.waitForRepack(compactor)
            #expect(compactor.repacks.count == 0, "\(script)")
            #expect(looseObjectFiles(mirror.path) == loose)
        }
        #expect(throws: (any Error).self) {
            _ = try MirrorRepackProcess.compact(mirror, program: folder.path + "/failing", limits: (0, -1), baseline: 0, packed: nil)
        }
    }

    /// A repack that was killed leaves a pack half written, maybe its index, and loose
    /// temporary files: the next repack removes them (loose ones only once old, as a note may be
    /// being written), and its request file is gone once read.
    @Test func theNextRepackRemovesWhatAKilledOneLeft() async throws {
        let folder = ScratchFolder()
        let mirror = try Self.mirrorWithLooseObjects(folder)
        let pack = mirror.path + "/objects/pack"
        try FileManager.default.createDirectory(atPath: pack, withIntermediateDirectories: true)
        let (half, orphan) = (pack + "/pack_git2_Xy12Zq", pack + "/pack-0123456789abcdef0123456789abcdef01234567.idx")
        let (oldLoose, newLoose) = (mirror.path + "/objects/tmp_object_git2_old", mirror.path + "/objects/tmp_object_git2_new")
        for file in [half, orphan, oldLoose, newLoose] { try Data("x".utf8).write(to: URL(fileURLWithPath: file)) }
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7_200)], ofItemAtPath: oldLoose)

        let (program, _) = try Self.recordingBerth(in: folder)
        let compactor = MirrorCompactor(
            mirror: mirror, logger: .init(label: "test"), metrics: ControllerMetrics(calls: CallCounter()), limits: (0, -1), program: program)
        compactor.compactIfDue()
        try await Self.waitForRepack(compactor)
        #expect(compactor.repacks.count == 1)
        for file in [half, orphan, oldLoose] { #expect(!FileManager.default.fileExists(atPath: file), "\(file)") }
        #expect(FileManager.default.fileExists(atPath: newLoose), "a loose write may be under way")
        let left = try FileManager.default.contentsOfDirectory(atPath: mirror.path)
        #expect(!left.contains { $0.hasPrefix(MirrorRepackProcess.requestPrefix) }, "\(left)")
        try FileManager.default.removeItem(atPath: newLoose)
        #expect(try GitCLI.run(["-C", mirror.path, "fsck", "--full", "--strict"]).status == 0)

        // A request a controller that ended left is removed when the next one starts.
        let stale = mirror.path + "/\(MirrorRepackProcess.requestPrefix)stale.json"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: stale))
        mirror.removeStaleLocks()
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    /// A repack process a controller that ended left running is not joined by a second one:
    /// the second finds the repack lock held and does nothing.
    @Test func aSecondRepackBesideARunningOneDoesNothing() throws {
        let folder = ScratchFolder()
        let (_, _, mirror) = try MirrorRepackTests.originAndMirror(folder)
        let holder = try Self.holdLock(mirror.repackLockFile)
        let packs = try Repository.open(at: mirror.path).packCount
        #expect(try mirror.compact(limit: -1, looseLimit: -1) == nil)
        #expect(try Repository.open(at: mirror.path).packCount == packs)
        holder.waitUntilExit()
        #expect(try mirror.compact(limit: -1, looseLimit: -1) != nil)
    }

    /// The lock that keeps a repack's expiry of loose objects apart from fetches is held
    /// across processes: while another process holds it, the mirror waits.
    @Test func theMirrorsLockIsHeldAcrossProcesses() async throws {
        let folder = ScratchFolder()
        let (_, _, mirror) = try MirrorRepackTests.originAndMirror(folder)
        let holder = try Self.holdLock(mirror.lockFile)
        let started = Date()
        try mirror.exclusively {}
        let waited = Date().timeIntervalSince(started)
        holder.waitUntilExit()
        #expect(waited > 0.5, "waited \(waited) s")
    }
}
