/// An error that knows whether waiting helps, and may name what went wrong as a word a program
/// matches on (`ReconcileError.Code`).
package protocol KindedError: Error {
    var kind: ErrorKind { get }
    var code: String? { get }
}

extension KindedError {
    package var code: String? { nil }
}
