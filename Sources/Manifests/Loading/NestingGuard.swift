/// A cheap scan of the raw text that runs before the YAML parser: the parser builds its tree
/// recursively, so text nested thousands of levels deep would exhaust the stack before any
/// precise check could run. The scan over-estimates depth (it ignores quotes and comments),
/// which is harmless at these bounds: real manifests stay far below them.
struct NestingGuard {
    static let maxFlowDepth = 128
    static let maxIndent = 256
    static let maxIndicatorsPerLine = 64

    /// Returns a diagnostic for the first line that is too deep or uses an unsupported key form.
    static func check(_ text: String, file: String) -> Diagnostic? {
        var flowDepth = 0
        var line = 1
        var column = 0
        var atLineStart = true
        var indent = 0
        var indicators = 0
        var previous: UInt8 = 10
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            column += 1
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                column = 0
                atLineStart = true
                indent = 0
                indicators = 0
            case UInt8(ascii: " ") where atLineStart:
                indent += 1
                if indent > maxIndent {
                    return Diagnostic(
                        .error, "indentation deeper than \(maxIndent) columns", at: SourceLocation(file: file, line: line, column: column))
                }
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                atLineStart = false
                flowDepth += 1
                if flowDepth > maxFlowDepth {
                    return Diagnostic(
                        .error, "nesting deeper than \(maxFlowDepth) levels", at: SourceLocation(file: file, line: line, column: column))
                }
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                atLineStart = false
                flowDepth = max(0, flowDepth - 1)
            case UInt8(ascii: "-"), UInt8(ascii: "?"):
                let next = index + 1 < bytes.count ? bytes[index + 1] : 10
                let isIndicator = (previous == 32 || previous == 10 || previous == 9) && (next == 32 || next == 10)
                if isIndicator && (atLineStart || indicators > 0) {
                    if byte == UInt8(ascii: "?") {
                        return Diagnostic(
                            .error, "complex mapping keys ('? ') are not supported in manifests",
                            at: SourceLocation(file: file, line: line, column: column))
                    }
                    indicators += 1
                    if indicators > maxIndicatorsPerLine {
                        return Diagnostic(
                            .error, "nesting deeper than \(maxIndicatorsPerLine) levels on one line",
                            at: SourceLocation(file: file, line: line, column: column))
                    }
                } else {
                    atLineStart = false
                    indicators = 0
                }
            case UInt8(ascii: "*") where atLineStart || indicators > 0 || previous == UInt8(ascii: "{") || previous == UInt8(ascii: ","):
                if aliasUsedAsKey(bytes, from: index) {
                    return Diagnostic(
                        .error, "an alias cannot be used as a mapping key in manifests",
                        at: SourceLocation(file: file, line: line, column: column))
                }
                atLineStart = false
                indicators = 0
            default:
                if byte != 32 {
                    atLineStart = false
                    if byte != 9 { indicators = 0 }
                }
            }
            previous = byte
            index += 1
        }
        return nil
    }

    /// `*name :` or `*name:` followed by a space or line end.
    private static func aliasUsedAsKey(_ bytes: [UInt8], from start: Int) -> Bool {
        var index = start + 1
        while index < bytes.count, ![32, 10, 9, UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(bytes[index]) {
            if bytes[index] == UInt8(ascii: ":"), index + 1 >= bytes.count || [32, 10].contains(bytes[index + 1]) { return true }
            index += 1
        }
        while index < bytes.count, bytes[index] == 32 { index += 1 }
        return index < bytes.count && bytes[index] == UInt8(ascii: ":")
    }
}
