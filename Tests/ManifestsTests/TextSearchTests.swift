import Testing
@testable import Manifests

/// The byte search the checks use in place of Foundation's finds what `range(of:)` finds.
@Suite struct TextSearchTests {
    @Test func findsWhatRangeOfFinds() throws {
        let cases: [(String, String, String?)] = [
            ("postgres://u:p@h/db", "://", "://"), ("aaab", "aab", "aab"), ("abc", "abcd", nil), ("abc", "", ""),
            ("x{{ name }}", "{{", "{{"), ("café://x", "://", "://"), ("ab", "b", "b"), ("", "a", nil),
        ]
        for (text, pattern, expected) in cases {
            let found = text.byteRange(of: pattern).map { String(text[$0]) }
            #expect(found == expected, "\(text) / \(pattern)")
        }
        let slice = "prefix-TOKEN-suffix".dropFirst(7)
        #expect(slice.includes("TOKEN") && !slice.includes("prefix"))
        #expect("  \n value \t".trimmed == "value" && "   ".trimmed.isEmpty)
    }
}
