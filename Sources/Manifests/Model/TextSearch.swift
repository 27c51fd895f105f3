extension StringProtocol {
    /// Where `text` first occurs, compared by UTF-8 bytes. Foundation's `range(of:)` and
    /// `contains(_:)` on strings go through NSString and ICU, and the standard library's
    /// generic `firstRange(of:)` builds a searcher each call: looking for `://`, `{{` and the
    /// words of secret names in every value of every service was a fifth of loading.
    func byteRange(of text: String) -> Range<Index>? {
        let bytes = utf8, pattern = text.utf8
        guard let first = pattern.first else { return startIndex..<startIndex }
        var from = bytes.startIndex
        while let found = bytes[from...].firstIndex(of: first) {
            var here = found, there = pattern.startIndex
            while there != pattern.endIndex, here != bytes.endIndex, bytes[here] == pattern[there] {
                bytes.formIndex(after: &here)
                pattern.formIndex(after: &there)
            }
            if there == pattern.endIndex { return found..<here }
            from = bytes.index(after: found)
        }
        return nil
    }

    /// Whether `text` occurs in this string, compared by UTF-8 bytes (see `byteRange(of:)`).
    func includes(_ text: String) -> Bool { byteRange(of: text) != nil }

    /// This string without white space or line breaks at either end (Foundation's trimming
    /// builds a character set and an NSString for it).
    var trimmed: SubSequence {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return self[endIndex...] }
        return self[first...last]
    }
}
