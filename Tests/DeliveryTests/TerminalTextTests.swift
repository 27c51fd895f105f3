import Delivery
import Testing

@Suite struct TerminalTextTests {
    @Test func controlCharactersAreEscapedAndTheRestKept() {
        #expect(TerminalText.line("promote staging -> prod: api 1.2 → é") == "promote staging -> prod: api 1.2 → é")
        #expect(TerminalText.line("tab\tkept") == "tab\tkept")
        #expect(TerminalText.line("red \u{1b}[31m") == "red \\x1b[31m")
        #expect(TerminalText.line("line\nforged") == "line\\x0aforged")
        #expect(TerminalText.line("del\u{7f}") == "del\\x7f")
        // C1 controls (0x80–0x9f) are two bytes in UTF-8, after 0xC2; 0xC2 0xA0 is a space.
        #expect(TerminalText.line("csi\u{9b}31m") == "csi\\x9b31m")
        #expect(TerminalText.line("nbsp\u{a0}ok") == "nbsp\u{a0}ok")
    }
}
