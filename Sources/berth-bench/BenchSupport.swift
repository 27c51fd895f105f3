import CMemory
import Foundation
import Git

/// One printed figure: what was measured, with what, and the result.
struct Figure: Codable {
    let name: String
    let inputs: String
    let value: String
    let seconds: Double?
}

/// A temporary folder for one benchmark, removed afterwards.
struct BenchFolder {
    let path: String

    init(path: String = FileManager.default.temporaryDirectory.appendingPathComponent("berth-bench-\(UUID().uuidString)").path) {
        self.path = path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

let benchAuthor = Signature(name: "Bench", email: "bench@example.com")

/// The berth executable built beside berth-bench.
var berthExecutable: String {
    URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("berth").path
}

/// Runs a program to completion; its time includes starting the process, as a user's would.
@discardableResult
func runProgram(
    _ arguments: [String], environment: [String: String] = [:], in folder: String? = nil
) throws -> (status: Int32, output: String, seconds: Double) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    let start = Date()
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self), Date().timeIntervalSince(start))
}

/// The CPU time this process has used (user and system, every thread; children apart): set
/// beside the time a piece of work took, it says whether that time went to work or to waiting.
/// And its page faults so far: a page mapped on first touch, which is what a pack window that
/// libgit2 let go costs each time it is mapped again.
func processUsage() -> (cpu: Double, faults: Int) {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    return (cpu, usage.ru_minflt + usage.ru_majflt)
}

enum Memory {
    /// This process's resident memory, from /proc (each benchmark has a process of its own).
    static func residentMiB() -> Double { field("VmRSS:") }
    /// The highest resident memory this process reached.
    static func peakMiB() -> Double { field("VmHWM:") }
    /// Resident memory that is no mapped file: the heap, stacks, what the process made.
    static func anonymousMiB() -> Double { field("RssAnon:") }
    /// Resident pages of mapped files: the code and constants of the binary and its libraries,
    /// shared with every process that maps them and dropped first under memory pressure.
    static func fileMiB() -> Double { field("RssFile:") }
    /// Resident pages of this program's own file (its code and constants): they grow as code
    /// runs for the first time, a path taken only now and then (a repack) late in a run.
    static func executableMiB() -> Double {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return -1 }
        return mappedMiB { $0 == executable }
    }
    /// Resident pages of files under `folder` this process maps (a repository's pack indexes
    /// and windows), deleted ones too.
    static func mappedMiB(under folder: String) -> Double {
        let prefix = URL(fileURLWithPath: folder).resolvingSymlinksInPath().path + "/"
        return mappedMiB { $0.hasPrefix(prefix) }
    }
    /// Resident pages of shared memory: files on tmpfs this process maps, among others.
    static func sharedMiB() -> Double { field("RssShmem:") }

    /// The resident pages of the mappings whose file `matches`, from smaps.
    private static func mappedMiB(_ matches: (String) -> Bool) -> Double {
        guard let maps = procFile("smaps") else { return -1 }
        var inMatch = false, kb = 0.0
        for line in maps.split(separator: "\n") {
            if let first = line.first, first.isHexDigit, line.contains("-") {
                let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
                inMatch = fields.count > 5 && matches(String(fields[5].trimmingPrefix(while: { $0 == " " })))
            } else if inMatch, line.hasPrefix("Rss:") {
                kb += Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0
            }
        }
        return kb / 1024
    }
    /// The heap in use (glibc's count), without what malloc keeps free.
    static func heapMiB() -> Double { Double(berth_heap_in_use()) / 1_048_576 }

    /// Resident KiB of each anonymous mapping, by its start address and what it likely is
    /// (the main heap, a thread's stack of 8 MiB, a malloc arena, or another):
    /// where anonymous growth sits, which the totals alone do not say.
    static func anonymousMappings() -> [String: (kind: String, kb: Double)] {
        guard let maps = procFile("smaps") else { return [:] }
        var result: [String: (kind: String, kb: Double)] = [:]
        var current: (start: String, kind: String)?
        for line in maps.split(separator: "\n") {
            if let first = line.first, first.isHexDigit, line.contains("-") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                let range = fields[0].split(separator: "-")
                let size = (range.count == 2 ? (UInt64(range[1], radix: 16) ?? 0) - (UInt64(range[0], radix: 16) ?? 0) : 0) / 1024
                let name = fields.count > 5 ? String(fields[5]) : ""
                guard name.isEmpty || name.hasPrefix("[") else {
                    current = nil
                    continue
                }
                let kind: String
                switch (name, size) {
                case ("[heap]", _): kind = "main heap"
                case ("[stack]", _): kind = "main stack"
                case ("", 8_188...8_196): kind = "thread stack"
                // glibc reserves 64 MiB for each arena besides the main one, readable up to its use.
                case ("", 16_384...65_536): kind = "arena or other (\(size) KiB)"
                case ("", _): kind = "other (\(size) KiB)"
                default: kind = name
                }
                current = (String(range.first ?? ""), kind)
            } else if let mapping = current, line.hasPrefix("Rss:") {
                result[mapping.start] = (mapping.kind, Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0)
            }
        }
        return result
    }

    /// Growth of anonymous memory since `before`, by kind of mapping, largest first.
    static func anonymousGrowth(since before: [String: (kind: String, kb: Double)]) -> String {
        let after = anonymousMappings()
        var byKind: [String: Double] = [:]
        for (start, now) in after { byKind[now.kind, default: 0] += now.kb - (before[start]?.kb ?? 0) }
        for (start, then) in before where after[start] == nil { byKind[then.kind, default: 0] -= then.kb }
        return byKind.filter { abs($0.value) >= 64 }.sorted { abs($0.value) > abs($1.value) }
            .map { "\($0.key) " + String(format: "%+.1f", $0.value / 1024) }.joined(separator: ", ")
    }

    /// Resident memory as the benchmarks print it: the total, then what it is made of.
    static func breakdown() -> String {
        String(format: "%.1f MiB (anonymous %.1f, of it heap %.1f; mapped files %.1f)", residentMiB(), anonymousMiB(), heapMiB(), fileMiB())
    }

    /// A file of /proc/self, whole: its size reads as 0, and a read by that size (as
    /// `String(contentsOfFile:)` makes) stops after the first page, the first few mappings
    /// of smaps.
    private static func procFile(_ name: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/" + name) else { return nil }
        defer { try? handle.close() }
        return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }

    private static func field(_ name: String) -> Double {
        guard let status = procFile("status"),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
            let kb = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return -1 }
        return kb / 1024
    }
}

/// The value below which `fraction` of the samples fall (nearest rank).
func percentile(_ samples: [Double], _ fraction: Double) -> Double {
    guard !samples.isEmpty else { return .nan }
    let sorted = samples.sorted()
    return sorted[min(sorted.count - 1, max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1))]
}

func format(_ seconds: Double) -> String {
    seconds < 1 ? String(format: "%.0f ms", seconds * 1000) : String(format: "%.2f s", seconds)
}
