/// Text from git (commit subjects, author names, reasons) made safe for a terminal: control
/// characters (ESC of colour and title sequences, CR, a newline that would forge a line of its
/// own, C1 codes) are shown as `\x1b`-style escapes instead of being obeyed.
package enum TerminalText {
    /// One line, with every control character escaped.
    package static func line(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 && scalar != "\t" || (0x7f...0x9f).contains(scalar.value) {
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Several lines: each escaped, the line breaks between them kept.
    package static func lines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line(String($0)) }.joined(separator: "\n")
    }
}
