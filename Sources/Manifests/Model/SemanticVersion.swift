/// A semantic version (semver.org), as image tags carry them: `1.4.0`, `v2.0.0-rc.1`. Build
/// metadata is kept out of the order, as the specification says.
package struct SemanticVersion: Comparable, Sendable, CustomStringConvertible {
    package let major: Int
    package let minor: Int
    package let patch: Int
    /// Dot-separated pre-release identifiers; empty for a release.
    package let prerelease: [String]

    /// Reads `MAJOR.MINOR.PATCH[-pre][+build]`, with an optional leading `v`; nil otherwise.
    package init?(_ text: String) {
        var rest = Substring(text)
        if rest.first == "v" || rest.first == "V" { rest = rest.dropFirst() }
        if let plus = rest.firstIndex(of: "+") { rest = rest[..<plus] }
        var pre: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            pre = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !pre.isEmpty, pre.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" } }) else { return nil }
            rest = rest[..<dash]
        }
        let numbers = rest.split(separator: ".", omittingEmptySubsequences: false)
        // No leading zeros (semver.org, item 2): 01.20.0 is no version.
        guard numbers.count == 3,
            numbers.allSatisfy({
                !$0.isEmpty && $0.count < 10 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber)
                    && ($0.count == 1 || $0.first != "0")
            }),
            let major = Int(numbers[0]), let minor = Int(numbers[1]), let patch = Int(numbers[2])
        else { return nil }
        (self.major, self.minor, self.patch, prerelease) = (major, minor, patch, pre)
    }

    init(_ major: Int, _ minor: Int, _ patch: Int) {
        (self.major, self.minor, self.patch, prerelease) = (major, minor, patch, [])
    }

    package var description: String {
        "\(major).\(minor).\(patch)" + (prerelease.isEmpty ? "" : "-" + prerelease.joined(separator: "."))
    }

    package static func < (a: SemanticVersion, b: SemanticVersion) -> Bool {
        if (a.major, a.minor, a.patch) != (b.major, b.minor, b.patch) { return (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch) }
        // A pre-release comes before its release; identifiers compare numerically when numbers.
        if a.prerelease.isEmpty || b.prerelease.isEmpty { return !a.prerelease.isEmpty && b.prerelease.isEmpty }
        for (x, y) in zip(a.prerelease, b.prerelease) where x != y {
            switch (Int(x), Int(y)) {
            case let (i?, j?): return i < j
            case (.some, nil): return true
            case (nil, .some): return false
            default: return x < y
            }
        }
        return a.prerelease.count < b.prerelease.count
    }

    package static func == (a: SemanticVersion, b: SemanticVersion) -> Bool {
        (a.major, a.minor, a.patch) == (b.major, b.minor, b.patch) && a.prerelease == b.prerelease
    }
}

/// A range of versions as npm and Flux write them: comparators joined by spaces (all must hold),
/// alternatives joined by `||`. Comparators: `>=1.2.0`, `>1.2.0`, `<=`, `<`, `=1.2.0` or `1.2.0`,
/// `^1.2.0` (same major; for 0.x, same minor), `~1.2.0` (same minor). Pre-releases match only a
/// comparator that names a pre-release of the same version.
package struct SemverRange: Sendable, CustomStringConvertible {
    struct Comparator: Sendable {
        enum Operation: String, Sendable { case gte = ">=", gt = ">", lte = "<=", lt = "<", eq = "=" }
        let operation: Operation
        let version: SemanticVersion
    }

    let alternatives: [[Comparator]]
    package let description: String

    /// The range, or the part of `text` that is not one.
    package static func parse(_ text: String) -> Result<SemverRange, RangeError> {
        var alternatives: [[Comparator]] = []
        for alternative in text.components(separatedBy: "||") {
            var all: [Comparator] = []
            let parts = alternative.split(separator: " ").map(String.init)
            guard !parts.isEmpty else { return .failure(RangeError(part: alternative)) }
            for part in parts {
                guard let comparators = comparators(part) else { return .failure(RangeError(part: part)) }
                all += comparators
            }
            alternatives.append(all)
        }
        return .success(SemverRange(alternatives: alternatives, description: text))
    }

    package struct RangeError: Error, Sendable {
        package let part: String
    }

    static func comparators(_ part: String) -> [Comparator]? {
        for operation in [Comparator.Operation.gte, .lte, .gt, .lt, .eq] where part.hasPrefix(operation.rawValue) {
            return SemanticVersion(String(part.dropFirst(operation.rawValue.count))).map { [Comparator(operation: operation, version: $0)] }
        }
        if part.hasPrefix("^"), let v = SemanticVersion(String(part.dropFirst())) {
            // npm's caret: the left-most non-zero part stays (^1.2.3 <2.0.0, ^0.2.3 <0.3.0, ^0.0.3 <0.0.4).
            let upper =
                v.major > 0
                ? SemanticVersion(v.major + 1, 0, 0)
                : v.minor > 0 ? SemanticVersion(0, v.minor + 1, 0) : SemanticVersion(0, 0, v.patch + 1)
            return [Comparator(operation: .gte, version: v), Comparator(operation: .lt, version: upper)]
        }
        if part.hasPrefix("~"), let v = SemanticVersion(String(part.dropFirst())) {
            return [Comparator(operation: .gte, version: v), Comparator(operation: .lt, version: SemanticVersion(v.major, v.minor + 1, 0))]
        }
        return SemanticVersion(part).map { [Comparator(operation: .eq, version: $0)] }
    }

    package func contains(_ version: SemanticVersion) -> Bool {
        alternatives.contains { all in
            if !version.prerelease.isEmpty,
                !all.contains(where: {
                    !$0.version.prerelease.isEmpty
                        && ($0.version.major, $0.version.minor, $0.version.patch)
                            == (version.major, version.minor, version.patch)
                })
            {
                return false
            }
            return all.allSatisfy { comparator in
                switch comparator.operation {
                case .gte: return version >= comparator.version
                case .gt: return version > comparator.version
                case .lte: return version <= comparator.version
                case .lt: return version < comparator.version
                case .eq: return version == comparator.version
                }
            }
        }
    }
}
