/// The parts of an HTTP request that SigV4 signs.
package struct SigningRequest: Sendable, Equatable {
    package var method: String
    /// The path as sent, not percent-encoded (the signer encodes it).
    package var path: String
    /// The raw query string without `?`, e.g. `Action=AssumeRole&Version=2011-06-15`.
    package var query: String
    /// Header names and values in the order given; a name may repeat.
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    package init(method: String, path: String = "/", query: String = "", headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    package static func == (lhs: SigningRequest, rhs: SigningRequest) -> Bool {
        lhs.method == rhs.method && lhs.path == rhs.path && lhs.query == rhs.query && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" }
    }
}
