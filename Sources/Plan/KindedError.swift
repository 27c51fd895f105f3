/// An error that knows whether waiting helps.
public protocol KindedError: Error {
    var kind: ErrorKind { get }
}
