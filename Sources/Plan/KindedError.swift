/// An error berth explains: whether waiting helps (`kind`), what went wrong as a word a program
/// matches on (`errorCode`), and what the person reading it can do (`next`), when berth knows.
package protocol KindedError: Error {
    var kind: ErrorKind { get }
    var errorCode: ErrorCode? { get }
    var next: String? { get }
}

extension KindedError {
    package var kind: ErrorKind { errorCode?.kind ?? .transient }
    package var errorCode: ErrorCode? { nil }
    package var next: String? { nil }
}
