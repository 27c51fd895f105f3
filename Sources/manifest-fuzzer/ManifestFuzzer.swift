import Manifests

/// Feeds arbitrary bytes to the manifest loader: split at NUL bytes into berth.yaml, an
/// environment file, an overlay, a service file and a task definition file. Built with
/// `scripts/fuzz.sh` (libFuzzer); without FUZZING it replays inputs given as file paths.
func loadManifests(_ bytes: [UInt8]) {
    let parts = bytes.split(separator: 0, maxSplits: 4, omittingEmptySubsequences: false).map(Array.init)
    let names = ["berth.yaml", "environments/prod/environment.yaml", "environments/prod/api.yaml",
                 "services/api/service.yaml", "services/api/task-definition.json"]
    var files: [String: ManifestFiles.Content] = [:]
    for (index, part) in parts.enumerated() { files[names[index]] = .data(part) }
    let loaded = ManifestLoader().load(ManifestFiles(files: files, displayPrefix: "fuzz/"))
    for diagnostic in loaded.diagnostics.items { precondition(diagnostic.location.line >= 1) }
    for rendered in loaded.rendered { _ = JSONWriter.write(rendered.taskDefinition) }
}

#if FUZZING
/// The input callback libFuzzer expects by name.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    loadManifests(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

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
