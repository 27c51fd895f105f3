import Canonical
import ECSModel
import Manifests

/// Feeds arbitrary bytes through everything berth does with a commit before it calls ECS:
/// split at NUL bytes into berth.yaml, an environment file, an overlay, a service file and a
/// task definition file, then load, render, and for each rendered service build the API
/// requests, their canonical forms, spec hashes and field diffs (what a plan compares).
/// Built with `scripts/fuzz.sh` (libFuzzer); without FUZZING it replays inputs given as paths.
func loadManifests(_ bytes: [UInt8]) {
    let parts = bytes.split(separator: 0, maxSplits: 4, omittingEmptySubsequences: false).map(Array.init)
    let names = [
        "berth.yaml", "environments/prod/environment.yaml", "environments/prod/api.yaml",
        "services/api/service.yaml", "services/api/task-definition.json",
    ]
    var files: [String: ManifestFiles.Content] = [:]
    for (index, part) in parts.enumerated() { files[names[index]] = .data(part) }
    let loaded = ManifestLoader().load(ManifestFiles(files: files, displayPrefix: "fuzz/"))
    for diagnostic in loaded.diagnostics.items { precondition(diagnostic.location.line >= 1) }
    for rendered in loaded.rendered {
        _ = JSONWriter.write(rendered.taskDefinition)
        plan(rendered)
    }
}

/// The pure half of a plan: requests, canonical forms, hashes, and diffs against an empty live
/// service and against itself (which must be empty: a plan of what runs is in sync).
func plan(_ rendered: RenderedService) {
    guard let register = try? rendered.registerRequest(),
        let create = try? rendered.createServiceRequest(taskDefinition: rendered.family)
    else { return }
    let taskDefinition = TaskDefinitionCanonical.canonical(register)
    let settings = ServiceCanonical.desired(create)
    _ = SpecHash.of(taskDefinition) + SpecHash.of(settings)
    precondition(FieldDiff.full(live: taskDefinition, desired: taskDefinition).isEmpty, "a task definition differs from itself")
    precondition(FieldDiff.subset(live: settings, desired: settings).isEmpty, "service settings differ from themselves")
    for change in FieldDiff.full(live: .object([:]), desired: taskDefinition) + FieldDiff.subset(live: .object([:]), desired: settings) {
        _ = change.description
    }
}

#if FUZZING
/// The input callback libFuzzer expects by name.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    loadManifests(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// SwiftPM links an executable's `main` to this symbol; it hands over to libFuzzer's driver.
@_cdecl("manifest_fuzzer_main")
func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzOneInput)
}
#else
import Foundation

@main
struct ManifestFuzzer {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            loadManifests(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            print("ok: \(path)")
        }
    }
}
#endif
