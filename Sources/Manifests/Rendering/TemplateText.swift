/// A string with `${name}` references, split into what is taken as written and what names a
/// variable: `$${` is a literal `${`, and a `$` not followed by `{` is kept (`$HOME` stays).
/// The one reading of the syntax, for manifests and for variables that use other variables.
enum TemplateText {
    enum Piece {
        case literal(Substring)
        case reference(String)
    }

    /// The pieces in order; nil when a `${` is never closed.
    static func pieces(_ text: String) -> [Piece]? {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            pieces.append(.literal(rest[..<dollar]))
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("${") {
                pieces.append(.literal("${"))
                rest = after.dropFirst(2)
            } else if after.hasPrefix("{") {
                guard let close = after.firstIndex(of: "}") else { return nil }
                pieces.append(.reference(String(after[after.index(after: after.startIndex)..<close])))
                rest = after[after.index(after: close)...]
            } else {
                pieces.append(.literal("$"))
                rest = after
            }
        }
        pieces.append(.literal(rest))
        return pieces
    }
}
