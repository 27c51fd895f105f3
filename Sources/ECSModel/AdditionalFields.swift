/// A request that may carry fields newer than berth's schema (berth.yaml
/// `allowUnknownFields`): the AWS client merges them into the body it sends, as written.
package protocol CarriesAdditionalFields {
    var additionalFields: JSONValue? { get }
}

extension ECSAPI.RegisterTaskDefinitionRequest: CarriesAdditionalFields {}
extension ECSAPI.CreateServiceRequest: CarriesAdditionalFields {}
extension ECSAPI.UpdateServiceRequest: CarriesAdditionalFields {}

extension JSONValue {
    /// `self` with `other`'s members added, objects merged member by member; `other` wins
    /// where both hold something else.
    /// Lists of the same length merge item by item.
    package func merging(_ other: JSONValue) -> JSONValue {
        switch (self, other) {
        case (.object(var mine), .object(let theirs)):
            for (key, value) in theirs { mine[key] = mine[key].map { $0.merging(value) } ?? value }
            return .object(mine)
        case (.array(let mine), .array(let theirs)) where mine.count == theirs.count:
            return .array(zip(mine, theirs).map { $0.merging($1) })
        default:
            return other
        }
    }
}
