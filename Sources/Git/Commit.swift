/// A commit's metadata, read out of libgit2 into a plain value.
package struct Commit: Sendable, Equatable {
    package let id: ObjectID
    package let tree: ObjectID
    package let parents: [ObjectID]
    package let author: Signature
    package let committer: Signature
    package let message: String

    /// The first line of the message.
    package var subject: String {
        String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// `Key: value` trailers in the last paragraph of the message, in order. Read for every
    /// commit a log shows, so without Foundation's string bridging.
    package var trailers: [(key: String, value: String)] {
        let text = message.trimmed
        guard let paragraph = text.ranges(of: "\n\n").last?.upperBound else { return [] }
        var result: [(key: String, value: String)] = []
        for line in text[paragraph...].split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { return [] }
            let key = line[..<colon]
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else { return [] }
            result.append((String(key), String(line[line.index(after: colon)...].trimmed)))
        }
        return result
    }

    package static func == (lhs: Commit, rhs: Commit) -> Bool { lhs.id == rhs.id }
}

import Foundation

extension StringProtocol {
    /// Without leading and trailing white space (newlines included).
    var trimmed: SubSequence {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
