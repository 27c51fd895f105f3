import Dispatch
import Foundation

extension Array where Element: Sendable {
    /// `transform` of every element, the elements shared out over the machine's cores in
    /// contiguous runs, the results in order; the first error by position is thrown. For
    /// CPU-bound work on many independent values (rendering a few thousand services, making
    /// their requests), which one core would do while the others wait. Work of fewer than
    /// `minimumRun` elements a core stays on the calling thread.
    package func concurrentMap<T: Sendable, E: Error>(minimumRun: Int = 32, _ transform: @Sendable (Element) throws(E) -> T) throws(E) -> [T] {
        let runs = Swift.min(ProcessInfo.processInfo.activeProcessorCount, count / Swift.max(minimumRun, 1))
        guard runs > 1 else { return try map(transform) }
        var results = [Result<T, E>?](repeating: nil, count: count)
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = Slots(buffer: buffer)
            let count = count
            withoutActuallyEscaping(transform) { transform in
                DispatchQueue.concurrentPerform(iterations: runs) { run in
                    for index in (count * run / runs)..<(count * (run + 1) / runs) {
                        slots.buffer[index] = Result { () throws(E) -> T in try transform(self[index]) }
                    }
                }
            }
        }
        return try results.map { (slot) throws(E) -> T in try slot!.get() }
    }
}

/// The results' storage, shared by the runs: each writes only its own slots, and the caller
/// reads them once `concurrentPerform` has returned.
private struct Slots<T, E: Error>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Result<T, E>?>
}
