import BerthTestSupport
@testable import ECS
import ECSModel
import Foundation
import Testing

/// The real ECS responses in ../shared/fixtures/ecs-responses decode into berth's types and
/// encode back to the same content: nothing is dropped.
@Suite struct ResponseFixtureTests {
    static let folder = sharedFolder + "/fixtures/ecs-responses/extracted"

    /// A misspelt key in the aws-cli documentation's update-service example ("taskkDefinition"):
    /// not an ECS field, so the model rightly has no place for it.
    static let documentationTypos: Set<String> = ["taskkDefinition"]

    static func withoutTypos(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(members.filter { !documentationTypos.contains($0.key) }.mapValues(withoutTypos))
        case .array(let items):
            return .array(items.map(withoutTypos))
        default:
            return value
        }
    }

    /// Decodes as `T`, re-encodes, and compares with the original as JSON values.
    static func roundTrip<T: Codable>(_ type: T.Type, _ data: Data) throws -> Bool {
        let original = withoutTypos(try JSONDecoder().decode(JSONValue.self, from: data))
        let typed = try JSONDecoder().decode(T.self, from: data)
        let again = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(typed))
        return original == again
    }

    static let checks: [String: @Sendable (Data) throws -> Bool] = [
        "CreateService": { try roundTrip(ECSAPI.CreateServiceResponse.self, $0) },
        "UpdateService": { try roundTrip(ECSAPI.UpdateServiceResponse.self, $0) },
        "DescribeServices": { try roundTrip(ECSAPI.DescribeServicesResponse.self, $0) },
        "DescribeTaskDefinition": { try roundTrip(ECSAPI.DescribeTaskDefinitionResponse.self, $0) },
        "RegisterTaskDefinition": { try roundTrip(ECSAPI.RegisterTaskDefinitionResponse.self, $0) },
        "DeregisterTaskDefinition": { try roundTrip(ECSAPI.DeregisterTaskDefinitionResponse.self, $0) },
        "ListTaskDefinitions": { try roundTrip(ECSAPI.ListTaskDefinitionsResponse.self, $0) },
        "ListServices": { try roundTrip(ECSAPI.ListServicesResponse.self, $0) },
        "ListTagsForResource": { try roundTrip(ECSAPI.ListTagsForResourceResponse.self, $0) },
        "DescribeTasks": { try roundTrip(ECSAPI.DescribeTasksResponse.self, $0) },
        "DescribeClusters": { try roundTrip(ECSAPI.DescribeClustersResponse.self, $0) },
        "CreateCluster": { try roundTrip(ECSAPI.CreateClusterResponse.self, $0) },
        "ListServiceDeployments": { try roundTrip(ECSAPI.ListServiceDeploymentsResponse.self, $0) },
        "DescribeServiceDeployments": { try roundTrip(ECSAPI.DescribeServiceDeploymentsResponse.self, $0) },
    ]

    /// The operation a fixture answers, from its name (`awscli_describe-services_output1.json`,
    /// `botocore_examples_DescribeServices_1.json`).
    static func operation(of file: String) -> String? {
        let parts = file.replacingOccurrences(of: ".json", with: "").split(separator: "_")
        if file.hasPrefix("awscli_"), parts.count >= 2 {
            return parts[1].split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        }
        if file.hasPrefix("botocore_examples_"), parts.count >= 3 { return String(parts[2]) }
        return nil
    }

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { operation(of: $0).map { checks[$0] != nil } ?? false }.sorted()
    }

    @Test func coversTheModelledOperations() {
        #expect(Self.files.count >= 25)
    }

    @Test(arguments: files)
    func decodesWithoutLoss(_ file: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/" + file))
        let check = try #require(Self.checks[Self.operation(of: file)!])
        #expect(try check(data))
    }

    @Test func exponentTimestampsDecode() throws {
        let json = #"{"services":[{"serviceName":"a","createdAt":1.7000000005E9}]}"#
        let response = try JSONDecoder().decode(ECSAPI.DescribeServicesResponse.self, from: Data(json.utf8))
        #expect(response.services?.first?.createdAt?.date == Date(timeIntervalSince1970: 1_700_000_000.5))
    }
}
