import Foundation
import Synchronization

/// What a program printed and how it exited.
package struct ProcessResult: Sendable {
    package let status: Int32
    package let stdout: String
    package let stderr: String
}

/// The one way the tests run a program to its end (git, ssh-keygen, gpg, cfn-lint, berth
/// itself). Both pipes are drained together, so a program that fills one while the test reads
/// the other never hangs. The async form waits on a thread of its own: a test waiting for a
/// child process never holds one of the cooperative pool's few threads, which other tests
/// (and the code under test) need.
package enum ProcessRunner {
    /// Runs `program` (a path, or a name looked up on PATH) with `arguments` in `folder`, with
    /// `environment` over the test's own, `input` on its standard input. `mergingErrors` sends
    /// standard error to standard output, interleaved as a terminal shows them.
    @discardableResult
    package static func runBlocking(
        _ program: String, _ arguments: [String], in folder: String? = nil, environment: [String: String] = [:],
        input: String? = nil, mergingErrors: Bool = false
    ) throws -> ProcessResult {
        let process = Process()
        if program.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = mergingErrors ? out : Pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let errors = ErrorDrain(mergingErrors ? nil : err)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.finish()
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// `runBlocking` on a thread of its own.
    @discardableResult
    package static func run(
        _ program: String, _ arguments: [String], in folder: String? = nil, environment: [String: String] = [:],
        input: String? = nil, mergingErrors: Bool = false
    ) async throws -> ProcessResult {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result {
                        try runBlocking(program, arguments, in: folder, environment: environment, input: input, mergingErrors: mergingErrors)
                    })
            }.start()
        }
    }
}

/// Reads a pipe to its end on a thread of its own.
private final class ErrorDrain: Sendable {
    private let data = Mutex(Data())
    private let done = DispatchSemaphore(value: 0)

    init(_ pipe: Pipe?) {
        guard let handle = pipe?.fileHandleForReading else {
            done.signal()
            return
        }
        Thread { [self] in
            let read = handle.readDataToEndOfFile()
            data.withLock { $0 = read }
            done.signal()
        }.start()
    }

    /// Waits for the end of the pipe; what it held.
    func finish() -> Data {
        done.wait()
        return data.withLock { $0 }
    }
}
