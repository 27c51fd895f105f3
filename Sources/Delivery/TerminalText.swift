/// Text from git (commit subjects, author names, reasons) made safe for a terminal: control
/// characters (ESC of colour and title sequences, CR, a newline that would forge a line of its
/// own, C1 codes) are shown as `\x1b`-style escapes instead of being obeyed.
package enum TerminalText {
    /// One line, with every control character escaped.
    package static func line(_ text: String) -> String {
        // Most lines hold nothing to escape: one pass over the bytes says so (C1 controls are
        // 0xC2 0x80–0x9F in UTF-8).
        var clean = true
        var afterC2 = false
        for byte in text.utf8 {
            if byte < 0x20 && byte != 0x09 || byte == 0x7F || afterC2 && byte < 0xA0 {
                clean = false
                break
            }
            afterC2 = byte == 0xC2
        }
        if clean { return text }
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
