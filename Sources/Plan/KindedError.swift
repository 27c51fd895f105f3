/// An error that knows whether waiting helps.
package protocol KindedError: Error {
    var kind: ErrorKind { get }
}
