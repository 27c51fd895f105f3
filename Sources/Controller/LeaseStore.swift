import AWS
import Crypto
import Foundation

/// Leases in a DynamoDB table, so several controller replicas share the environments and a
/// replica that dies hands its environments over when its leases expire. Conditional writes
/// decide who holds what; each lease carries a version (a fencing token) that changes hands
/// with it. Replicas announce themselves with heartbeat items, and each environment is
/// preferred by one live replica (rendezvous hashing), so the work spreads without coordination.
package struct LeaseStore: Sendable {
    package let client: AWSClient
    package let table: String
    package let identity: String
    package let duration: TimeInterval

    package init(client: AWSClient, table: String, identity: String, duration: TimeInterval) {
        self.client = client
        self.table = table
        self.identity = identity
        self.duration = duration
    }

    package struct Lease: Sendable, Equatable {
        package let environment: String
        package let version: Int
        package let expires: Date
    }

    /// Says this replica is alive (an item `replica#<identity>` that expires).
    package func heartbeat(now: Date = Date()) async throws {
        _ = try await call(
            "PutItem",
            [
                "TableName": table,
                "Item": ["environment": ["S": "replica#\(identity)"], "holder": ["S": identity], "expires": ["N": number(now + duration)]],
            ])
    }

    /// Identities of the replicas whose heartbeat has not expired.
    package func liveReplicas(now: Date = Date()) async throws -> [String] {
        let response = try await call(
            "Scan",
            [
                "TableName": table,
                "FilterExpression": "begins_with(environment, :prefix) AND expires > :now",
                "ExpressionAttributeValues": [":prefix": ["S": "replica#"], ":now": ["N": number(now)]],
            ])
        let items = response["Items"] as? [[String: Any]] ?? []
        return items.compactMap { ($0["holder"] as? [String: Any])?["S"] as? String }.sorted()
    }

    /// The replica that should hold `environment` among `replicas` (highest hash of both).
    package static func preferred(_ environment: String, among replicas: [String]) -> String? {
        replicas.max { score(environment, $0) < score(environment, $1) }
    }

    static func score(_ environment: String, _ replica: String) -> UInt64 {
        let digest = SHA256.hash(data: Array("\(environment)|\(replica)".utf8))
        return digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Takes or renews the lease on `environment`; nil when another replica holds it.
    package func acquire(_ environment: String, now: Date = Date()) async throws -> Lease? {
        do {
            let response = try await call(
                "UpdateItem",
                [
                    "TableName": table,
                    "Key": ["environment": ["S": environment]],
                    "UpdateExpression": "SET holder = :me, expires = :expires ADD version :one",
                    "ConditionExpression": "attribute_not_exists(environment) OR holder = :me OR expires < :now",
                    "ExpressionAttributeValues": [
                        ":me": ["S": identity], ":expires": ["N": number(now + duration)],
                        ":now": ["N": number(now)], ":one": ["N": "1"],
                    ],
                    "ReturnValues": "ALL_NEW",
                ])
            let attributes = response["Attributes"] as? [String: Any] ?? [:]
            let version = Int(((attributes["version"] as? [String: Any])?["N"] as? String) ?? "0") ?? 0
            return Lease(environment: environment, version: version, expires: now + duration)
        } catch let error as AWSError where error.code == "ConditionalCheckFailedException" {
            return nil
        }
    }

    /// Whether this replica still holds `lease` (same version, not expired): checked before every
    /// write, so a replica that lost its lease (paused, partitioned) writes nothing.
    package func stillHolds(_ lease: Lease, now: Date = Date()) async throws -> Bool {
        let response = try await call("GetItem", ["TableName": table, "Key": ["environment": ["S": lease.environment]], "ConsistentRead": true])
        guard let item = response["Item"] as? [String: Any] else { return false }
        let holder = (item["holder"] as? [String: Any])?["S"] as? String
        let version = Int(((item["version"] as? [String: Any])?["N"] as? String) ?? "") ?? -1
        let expires = Double(((item["expires"] as? [String: Any])?["N"] as? String) ?? "") ?? 0
        return holder == identity && version == lease.version && expires > now.timeIntervalSince1970
    }

    /// Gives a lease up (on shutdown), if this replica still holds it.
    package func release(_ environment: String) async {
        _ = try? await call(
            "DeleteItem",
            [
                "TableName": table,
                "Key": ["environment": ["S": environment]],
                "ConditionExpression": "holder = :me",
                "ExpressionAttributeValues": [":me": ["S": identity]],
            ])
    }

    /// Creates the table (for tests and first runs); an existing table is fine.
    package func createTable() async throws {
        do {
            _ = try await call(
                "CreateTable",
                [
                    "TableName": table,
                    "AttributeDefinitions": [["AttributeName": "environment", "AttributeType": "S"]],
                    "KeySchema": [["AttributeName": "environment", "KeyType": "HASH"]],
                    "BillingMode": "PAY_PER_REQUEST",
                ])
        } catch let error as AWSError where error.code == "ResourceInUseException" {
            return
        }
    }

    func number(_ date: Date) -> String { String(format: "%.3f", date.timeIntervalSince1970) }

    func call(_ operation: String, _ body: [String: Any]) async throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: body)
        let response = try await client.json(.dynamoDB, operation, body: Array(data))
        return (try? JSONSerialization.jsonObject(with: Data(response)) as? [String: Any]) ?? [:]
    }
}
