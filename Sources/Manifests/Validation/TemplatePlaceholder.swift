/// Placeholders of other templating tools (`{{ … }}`, `<NAME>`) that someone forgot to render:
/// pasted task definitions often carry them, and ECS would accept some of them verbatim.
enum TemplatePlaceholder {
    /// The first placeholder in `text`, as written.
    static func first(in text: String) -> String? {
        // Every string of a task definition comes here: most hold neither opening mark.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "<") }) else { return nil }
        if let open = text.byteRange(of: "{{"), let close = text[open.upperBound...].byteRange(of: "}}") {
            return String(text[open.lowerBound..<close.upperBound])
        }
        var index = text.startIndex
        while let open = text[index...].firstIndex(of: "<") {
            let nameStart = text.index(after: open)
            guard let close = text[nameStart...].firstIndex(of: ">") else { break }
            let name = text[nameStart..<close]
            if let first = name.first, first.isUppercase, name.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }) {
                return String(text[open...close])
            }
            index = nameStart
        }
        return nil
    }
}
