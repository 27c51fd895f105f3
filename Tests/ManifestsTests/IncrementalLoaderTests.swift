import Foundation
import Git
@testable import Manifests
import Testing

/// The incremental loader must load exactly what a full load does, whatever the history:
/// random repositories, random commits (bases, overlays, environments, berth.yaml, shared
/// task definition files, broken files, services coming and going), loaded in random order.
@Suite struct IncrementalLoaderTests {
    @Test(arguments: [11, 23, 37, 41, 59, 67, 73, 89])
    func incrementalLoadsEqualFullLoads(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berth-incremental-\(seed)-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repo = try Repository.create(at: folder, bare: true)
        let root = seed % 2 == 0 ? "" : "manifests"
        var history = HistoryShape(root: root)
        var tip = try repo.commit(changes: history.start(&random), onto: "main", expectedTip: nil, message: "start", author: author)
        var commits = [tip]
        for step in 1..<40 {
            tip = try repo.commit(changes: history.mutate(&random), onto: "main", expectedTip: tip, message: "step \(step)", author: author)
            commits.append(tip)
        }
        var loader = IncrementalLoader(path: root)
        var staging = IncrementalLoader(path: root, environments: ["staging"])
        var rendered = 0, possible = 0
        // In order, then jumping about (a log walks newest first; a review branch is elsewhere).
        let order = commits + (0..<30).map { _ in commits[Int(random.next() % UInt64(commits.count))] }
        for (index, commit) in order.enumerated() {
            let full = ManifestLoader().load(try ManifestFiles.read(repository: repo, commit: commit, path: root))
            let incremental = try loader.load(repository: repo, commit: commit)
            let context = "seed \(seed), load \(index) (\(commit.short))"
            #expect(loader.lastFiles?.files == (try ManifestFiles.read(repository: repo, commit: commit, path: root)).files, "\(context): files")
            let (expected, got) = (Summary(full), Summary(incremental))
            #expect(expected.rendered == got.rendered, "\(context): rendered")
            #expect(expected.diagnostics == got.diagnostics, "\(context): diagnostics")
            #expect(expected == got, "\(context)")
            let only = try staging.load(repository: repo, commit: commit)
            #expect(Summary(full).rendered.filter { $0.hasPrefix("staging/") } == Summary(only).rendered, "\(context): staging alone")
            #expect(full.blockedEnvironments.contains("staging") == only.blockedEnvironments.contains("staging"), "\(context): staging blocked")
            // A release edit in memory (promotion, rollback) loads like the edited files do.
            if index % 4 == 1, var edited = loader.lastFiles {
                let overlays = edited.files.keys.filter { $0.contains("environments/") && !$0.hasSuffix("environment.yaml") }.sorted()
                if !overlays.isEmpty {
                    edited.write(random.pick(overlays), Array("images: {app: registry.example.com/edited:\(index)}\n".utf8))
                    let (want, got) = (Summary(ManifestLoader().load(edited)), Summary(loader.load(edited)))
                    #expect(want == got, "\(context): edited in memory")
                }
            }
            if index > 0 && index < commits.count {
                rendered += loader.lastWork.rendered
                possible += incremental.environments.map(\.services.count).reduce(0, +)
            }
        }
        // Most commits change one or two things: most services are not rendered again.
        #expect(rendered * 2 < possible, "seed \(seed): \(rendered) of \(possible) services rendered again")
        // The common change (an edited base or overlay) patches the last load.
        #expect(loader.patched > 0, "seed \(seed): no load was a patch")
    }

    /// A folder replaced by a file of its name (an environment made a file by mistake) reads as
    /// a full read does: the file is listed where the folder was, and reported.
    @Test func aFolderReplacedByAFileReadsAsAFullReadDoes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berth-incremental-kind-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repo = try Repository.create(at: folder, bare: true)
        let files: [String: String] = [
            "berth.yaml": "version: 1\n",
            "environments/prod/environment.yaml": "target: {local: {}}\n",
            "environments/prod/api.yaml": "{}\n",
            "environments/qa/environment.yaml": "target: {local: {}}\n",
            "environments/qa/api.yaml": "{}\n",
            "services/api/service.yaml": "taskDefinition: {containerDefinitions: [{name: app, image: r/api:1, memory: 128}]}\n",
        ]
        let first = try repo.commit(changes: files.map { .write($0.key, $0.value) }, onto: "main", expectedTip: nil, message: "a", author: author)
        let gone = try repo.commit(
            changes: [.delete("environments/qa/environment.yaml"), .delete("environments/qa/api.yaml")],
            onto: "main", expectedTip: first, message: "b", author: author)
        // Loaded from the first commit straight to this one: a folder there, a file here.
        let second = try repo.commit(changes: [.write("environments/qa", "oops\n")], onto: "main", expectedTip: gone, message: "c", author: author)
        for environments in [nil, Set(["qa"])] {
            var loader = IncrementalLoader(path: "", environments: environments)
            _ = try loader.load(repository: repo, commit: first)
            let incremental = try loader.load(repository: repo, commit: second)
            let whole = try ManifestFiles.read(repository: repo, commit: second, path: "")
            var full = IncrementalLoader(path: "", environments: environments)
            #expect(Summary(incremental) == Summary(try full.load(repository: repo, commit: second)))
            if environments == nil {
                #expect(loader.lastFiles?.names(in: "environments") == whole.names(in: "environments"))
                #expect(loader.lastFiles?.files == whole.files)
            }
        }
    }

    @Test func aChangedTaskDefinitionFileRendersItsServiceAgain() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("berth-incremental-td-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repo = try Repository.create(at: folder, bare: true)
        var files: [String: String] = [
            "berth.yaml": "version: 1\n",
            "environments/prod/environment.yaml": "target: {local: {}}\n",
            "environments/prod/api.yaml": "{}\n",
            "environments/prod/web.yaml": "{}\n",
            "services/api/service.yaml": "taskDefinitionFile: ../../shared/api.json\n",
            "shared/api.json": #"{"containerDefinitions": [{"name": "app", "image": "r/api:1", "memory": 128}]}"#,
            "services/web/service.yaml": "taskDefinition: {containerDefinitions: [{name: app, image: r/web:1, memory: 128}]}\n",
        ]
        let first = try repo.commit(changes: files.map { .write($0.key, $0.value) }, onto: "main", expectedTip: nil, message: "a", author: author)
        files["shared/api.json"] = #"{"containerDefinitions": [{"name": "app", "image": "r/api:2", "memory": 128}]}"#
        let second = try repo.commit(
            changes: [.write("shared/api.json", files["shared/api.json"]!)], onto: "main", expectedTip: first,
            message: "b", author: author)
        var loader = IncrementalLoader(path: "")
        let before = try loader.load(repository: repo, commit: first)
        let after = try loader.load(repository: repo, commit: second)
        func id(_ loaded: LoadedManifests, _ service: String) -> UInt64? { loaded.rendered.first { $0.service == service }?.renderID }
        #expect(id(before, "api") != id(after, "api"))
        #expect(id(before, "web") == id(after, "web"))
        #expect(after.rendered.first { $0.service == "api" }?.images["app"] == "r/api:2")
    }
}

private let author = Signature(name: "Test", email: "test@example.com", date: Date(timeIntervalSince1970: 1_700_000_000))

/// What a load says, in comparable form (locations included).
private struct Summary: Equatable {
    let rendered: [String]
    let diagnostics: [String]
    let blocked: [String]
    let environments: [Environment]
    let names: [String]
    let services: [String]

    init(_ loaded: LoadedManifests) {
        rendered = loaded.rendered.map {
            "\($0.environment)/\($0.service) \($0.family) \($0.serviceName) \($0.cluster) \($0.sources) \($0.taskDefinition) \($0.serviceSettings)"
        }.sorted()
        diagnostics = loaded.diagnostics.sorted.map { "\($0)" }
        blocked = loaded.blockedEnvironments.sorted()
        environments = loaded.environments.sorted { $0.name < $1.name }
        names = loaded.environmentNames
        services = loaded.services
    }
}

/// A small xorshift generator: the same seed makes the same history.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
}

/// Random manifest trees and the changes people make to them.
private struct HistoryShape {
    let root: String
    var services: Set<String> = []
    let environments = ["staging", "prod"]
    var step = 0

    func path(_ relative: String) -> String { root.isEmpty ? relative : root + "/" + relative }

    mutating func start(_ random: inout SeededRandom) -> [FileChange] {
        var changes: [FileChange] = [
            .write(path("berth.yaml"), "version: 1\npromotion: [staging, prod]\n"),
            .write(path("shared/sidecar.json"), sidecar(1)),
        ]
        for env in environments { changes.append(.write(path("environments/\(env)/environment.yaml"), environment(env, &random))) }
        for name in ["api", "web", "worker", "jobs"] { changes += addService(name, &random) }
        return changes
    }

    mutating func mutate(_ random: inout SeededRandom) -> [FileChange] {
        step += 1
        var changes: [FileChange] = []
        for _ in 0..<(1 + random.next() % 2) {
            let service = random.pick(services.sorted())
            let env = random.pick(environments)
            switch random.next() % 12 {
            case 0: changes.append(.write(path("environments/\(env)/environment.yaml"), environment(env, &random)))
            case 1: changes.append(.write(path("services/\(service)/service.yaml"), base(service, &random)))
            case 2, 3, 4: changes.append(.write(path("environments/\(env)/\(service).yaml"), overlay(&random)))
            case 5: changes.append(.write(path("shared/sidecar.json"), sidecar(Int(random.next() % 5))))
            case 6: changes += addService("svc\(step)", &random)
            case 7 where services.count > 2:
                services.remove(service)
                changes +=
                    [.delete(path("services/\(service)/service.yaml"))]
                    + environments.map { .delete(path("environments/\($0)/\(service).yaml")) }
            case 8: changes.append(.delete(path("environments/\(env)/\(service).yaml")))
            case 9:
                changes.append(
                    .write(
                        path("berth.yaml"),
                        random.chance(50)
                            ? "version: 1\npromotion: [staging, prod]\n"
                            : "version: 1\npromotion: [staging, prod]\ntarget: {local: {region: eu-west-1}}\n"))
            case 10 where random.chance(40): changes.append(.write(path("environments/\(env)/\(service).yaml"), "images: {app: [broken\n"))
            default:
                if random.chance(50) {
                    changes.append(.write(path("environments/\(env)/freeze.yaml"), "reason: release week\n"))
                } else {
                    changes.append(.delete(path("environments/\(env)/freeze.yaml")))
                }
            }
        }
        // One change a path: the last one written.
        var seen = Set<String>()
        return changes.reversed().filter { seen.insert($0.path).inserted }.reversed()
    }

    mutating func addService(_ name: String, _ random: inout SeededRandom) -> [FileChange] {
        services.insert(name)
        return [.write(path("services/\(name)/service.yaml"), base(name, &random))]
            + environments.filter { _ in random.chance(85) }.map { .write(path("environments/\($0)/\(name).yaml"), overlay(&random)) }
    }

    func environment(_ name: String, _ random: inout SeededRandom) -> String {
        let version = "1.\(random.next() % 4)"
        let target = random.chance(80) ? "target: {local: {}}\n" : ""
        let vars = random.chance(50) ? "vars: {logGroup: \"/ecs/${env}/${service}\", tag: \"t\(random.next() % 3)\"}\n" : "vars: {tag: t0}\n"
        let policy = random.chance(30) ? "policy: {allowMutableTags: true}\n" : ""
        return target + vars + "release: {version: \"\(version)\"}\n" + policy
    }

    func base(_ name: String, _ random: inout SeededRandom) -> String {
        if random.chance(20) { return "taskDefinitionFile: ../../shared/sidecar.json\nservice: {desiredCount: 1}\n" }
        if random.chance(5) { return "taskDefinition: {containerDefinitions: [{name: app, image: \"r/\(name):${vars.missing}\", memory: 128}]}\n" }
        let tag = random.chance(50) ? "${vars.tag}" : "${release.version}"
        return """
            taskDefinition:
              containerDefinitions:
                - name: app
                  image: registry.example.com/\(name):\(tag)
                  memory: \(128 * (1 + random.next() % 4))
                  environment: [{name: SERVICE, value: "${service}"}]
            service: {desiredCount: \(1 + random.next() % 3)}

            """
    }

    func overlay(_ random: inout SeededRandom) -> String {
        switch random.next() % 10 {
        case 0, 1, 2: return "{}\n"
        case 3, 4, 5: return "images: {app: registry.example.com/pinned:\(random.next() % 9)}\n"
        case 6, 7, 8: return "service: {desiredCount: \(random.next() % 5)}\n"
        default: return "images: {nope: registry.example.com/x:1}\n"
        }
    }

    func sidecar(_ version: Int) -> String {
        #"{"containerDefinitions": [{"name": "app", "image": "registry.example.com/side:\#(version)", "memory": 128}]}"#
    }
}
