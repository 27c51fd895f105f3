import BerthTestSupport
import Canonical
import ECS
import ECSModel
import Foundation
@testable import Plan
@testable import Apply
@testable import Review
import Testing

/// Golden pairs in the gitops-engine style: `<case>.desired.json` (a RegisterTaskDefinition
/// request as git holds it), `<case>.live.json` (what ECS describes) and, when they differ,
/// `<case>.expected` (the plan's lines). Real ECS shapes from ../shared/fixtures/ecs-responses too.
@Suite struct GoldenDiffTests {
    static let folder: String = {
        var url = URL(fileURLWithPath: #filePath)
        url.deleteLastPathComponent()
        return url.appendingPathComponent("Golden").path
    }()

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".desired.json") }.map { String($0.dropLast(".desired.json".count)) }.sorted()
    }

    static func decode<T: Decodable>(_ type: T.Type, _ path: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    static func diff(desired: ECSAPI.RegisterTaskDefinitionRequest, live: ECSAPI.TaskDefinition) -> [String] {
        FieldDiff.full(
            live: TaskDefinitionCanonical.canonical(TaskDefinitionCanonical.request(from: live)),
            desired: TaskDefinitionCanonical.canonical(desired)
        ).map(\.description)
    }

    @Test func thereAreCases() { #expect(Self.cases.count >= 5) }

    @Test(arguments: cases)
    func goldenPair(_ name: String) throws {
        let desired = try Self.decode(ECSAPI.RegisterTaskDefinitionRequest.self, "\(Self.folder)/\(name).desired.json")
        let live = try Self.decode(ECSAPI.TaskDefinition.self, "\(Self.folder)/\(name).live.json")
        let expected =
            (try? String(contentsOfFile: "\(Self.folder)/\(name).expected", encoding: .utf8))
            .map { $0.split(separator: "\n").map(String.init) } ?? []
        #expect(Self.diff(desired: desired, live: live) == expected)
    }

    /// aws-cli's register-task-definition example: the request in its text, ECS's answer in the fixture.
    @Test func awsCLIRegisterExample() throws {
        let desired = ECSAPI.RegisterTaskDefinitionRequest(
            family: "sleep360",
            containerDefinitions: [
                ECSAPI.ContainerDefinition(name: "sleep", image: "busybox", cpu: 10, memory: 10, essential: true, command: ["sleep", "360"])
            ])
        let live = try Self.decode(
            ECSAPI.RegisterTaskDefinitionResponse.self,
            sharedFolder + "/fixtures/ecs-responses/extracted/awscli_register-task-definition_output1.json")
        #expect(Self.diff(desired: desired, live: try #require(live.taskDefinition)) == [])
        let bumped = ECSAPI.RegisterTaskDefinitionRequest(
            family: "sleep360",
            containerDefinitions: [
                ECSAPI.ContainerDefinition(name: "sleep", image: "busybox", cpu: 10, memory: 10, essential: true, command: ["sleep", "720"])
            ])
        #expect(Self.diff(desired: bumped, live: live.taskDefinition!) == [#"~ containerDefinitions[sleep].command[1]: "360" -> "720""#])
    }

    /// Every DescribeTaskDefinition answer among the fixtures, registered again as it is, shows no difference.
    @Test(arguments: ["awscli_describe-task-definition_output1.json", "botocore_examples_DescribeTaskDefinition_1.json"])
    func describeOutputAgainstItself(_ file: String) throws {
        let live = try #require(
            try Self.decode(ECSAPI.DescribeTaskDefinitionResponse.self, sharedFolder + "/fixtures/ecs-responses/extracted/" + file).taskDefinition)
        #expect(Self.diff(desired: TaskDefinitionCanonical.request(from: live), live: live) == [])
    }

    /// Service settings: only what the manifest sets is compared.
    @Test func serviceSettingsFromARealDescribeServices() throws {
        let response = try Self.decode(
            ECSAPI.DescribeServicesResponse.self, sharedFolder + "/fixtures/ecs-responses/extracted/botocore_examples_DescribeServices_1.json")
        let live = try #require(response.services?.first)
        let same = ECSAPI.CreateServiceRequest(serviceName: live.serviceName, desiredCount: live.desiredCount)
        #expect(FieldDiff.subset(live: ServiceCanonical.live(live), desired: ServiceCanonical.desired(same)).isEmpty)
        let autoscaled = ECSAPI.CreateServiceRequest(serviceName: live.serviceName)
        #expect(FieldDiff.subset(live: ServiceCanonical.live(live), desired: ServiceCanonical.desired(autoscaled)).isEmpty)
        let scaled = ECSAPI.CreateServiceRequest(
            serviceName: live.serviceName, desiredCount: (live.desiredCount ?? 0) + 2,
            deploymentConfiguration: ECSAPI.DeploymentConfiguration(maximumPercent: 200))
        let changes = FieldDiff.subset(live: ServiceCanonical.live(live), desired: ServiceCanonical.desired(scaled))
        #expect(changes.map(\.path) == ["desiredCount"])
    }
}
