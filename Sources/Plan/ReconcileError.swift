/// Why a reconcile could not go on: what happened (`message`), what to do (`next`), a stable
/// `code` a program can act on (`ErrorCode`; the controller's status and log show it as
/// `errorCode`), and whether waiting helps (`kind`, from the code unless the site knows better).
package struct ReconcileError: KindedError, CustomStringConvertible, Sendable {
    package let code: ErrorCode
    package let message: String
    /// What the person reading it can do, when berth knows.
    package let next: String?
    package let kind: ErrorKind

    package init(_ code: ErrorCode, _ message: String, next: String? = nil, kind: ErrorKind? = nil) {
        self.code = code
        self.message = message
        self.next = next
        self.kind = kind ?? code.kind
    }

    package var errorCode: ErrorCode? { code }

    package var description: String { next.map { "\(message); \($0)" } ?? message }
}
