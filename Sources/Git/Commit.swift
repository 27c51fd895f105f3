/// A commit's metadata, read out of libgit2 into a plain value.
package struct Commit: Sendable, Equatable {
    package let id: ObjectID
    package let tree: ObjectID
    package let parents: [ObjectID]
    package let author: Signature
    package let committer: Signature
    package let message: String
    /// Whether its header carries a signature (a `gpgsig` field, where git puts OpenPGP, SSH and
    /// X.509 signatures): one without needs no second read to say it is unsigned.
    package var signed = false

    /// The first line of the message.
    package var subject: String {
        String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// `Key: value` trailers in the last paragraph of the message, in order. Read for every
    /// commit a log shows, so over the message's bytes: the keys and the separators are ASCII.
    package var trailers: [(key: String, value: String)] {
        let bytes = message.utf8
        let space: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard var end = bytes.lastIndex(where: { !space($0) }) else { return [] }
        end = bytes.index(after: end)
        // The last paragraph: after the last blank line ("\n\n") before the end.
        var start: String.UTF8View.Index?
        var index = end
        while index > bytes.startIndex {
            let before = bytes.index(before: index)
            if bytes[before] == 0x0A, before > bytes.startIndex, bytes[bytes.index(before: before)] == 0x0A {
                start = index
                break
            }
            index = before
        }
        guard let start else { return [] }
        var result: [(key: String, value: String)] = []
        for line in bytes[start..<end].split(separator: 0x0A) {
            guard let colon = line.firstIndex(of: 0x3A) else { return [] }
            let key = line[..<colon]
            guard let name = String(key), !name.isEmpty,
                key.allSatisfy({ $0 == 0x2D || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) })
                    || name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
            else { return [] }
            var value = line[line.index(after: colon)...]
            while let first = value.first, space(first) { value = value.dropFirst() }
            while let last = value.last, space(last) { value = value.dropLast() }
            result.append((name, String(value) ?? ""))
        }
        return result
    }

    package static func == (lhs: Commit, rhs: Commit) -> Bool { lhs.id == rhs.id }
}
