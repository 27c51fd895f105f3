/// The spec berth deployed each task definition ARN for (revisions are immutable), as a pass
/// asks it: was this ARN deployed for this spec? Held as 64-bit digests, not strings: a
/// long-running controller deploys a revision for every change, and the answer must not cost
/// memory in the length of the history (benchmark 7).
package struct RecordedSpecs: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    private var specs: [Int: Int] = [:]

    package init() {}

    package init(dictionaryLiteral elements: (String, String)...) {
        for (arn, spec) in elements { record(arn, specHash: spec) }
    }

    package mutating func record(_ arn: String, specHash: String) { specs[arn.hashValue] = specHash.hashValue }

    /// Whether berth deployed `arn` for `specHash`.
    package func isRecorded(_ arn: String, as specHash: String) -> Bool { specs[arn.hashValue] == specHash.hashValue }

    package var count: Int { specs.count }
}
