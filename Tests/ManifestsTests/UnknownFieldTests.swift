import ECSModel
import Foundation
import Testing
@testable import Manifests

/// berth.yaml `allowUnknownFields: true`: a field AWS added after berth's schema, inside a task
/// definition or service settings, is a warning and reaches the request as written; berth's
/// own files stay strict, and without the setting it is an error as before.
@Suite struct UnknownFieldTests {
    static func files(allow: Bool) -> [String: String] {
        var files = baseFiles()
        files["berth.yaml"] = "version: 1\npromotion: [staging, prod]\n" + (allow ? "allowUnknownFields: true\n" : "")
        files["environments/staging/api.yaml"] = """
            taskDefinition:
              containerDefinitions:
                - name: app
                  futureKnob: {level: 3}
            service:
              desiredCount: 1
              futureSetting: {mode: FAST, weights: [1, 2]}
              deploymentConfiguration: {futureNested: true}

            """
        return files
    }

    @Test func unknownFieldsAreWarnedAndCarriedUnderTheSetting() throws {
        let loaded = load(Self.files(allow: true))
        #expect(loaded.diagnostics.errors.isEmpty, "\(loaded.diagnostics.errors.map(\.message))")
        let warnings = loaded.diagnostics.items.map(\.message).filter { $0.contains("allowUnknownFields") }
        #expect(warnings.filter { $0.contains("'futureSetting'") }.count == 1, "\(warnings)")
        #expect(warnings.contains { $0.contains("'futureKnob'") }, "\(warnings)")
        let api = try #require(loaded.rendered(environment: "staging").first)
        let create = try api.createServiceRequest(taskDefinition: "arn")
        #expect(
            create.additionalFields
                == .object([
                    "futureSetting": .object(["mode": .string("FAST"), "weights": .array([.number(1), .number(2)])]),
                    "deploymentConfiguration": .object(["futureNested": .bool(true)]),
                ]))
        #expect(create.desiredCount == 1)
        let register = try api.registerRequest()
        #expect(register.additionalFields == .object(["containerDefinitions": .array([.object(["futureKnob": .object(["level": .number(3)])])])]))
        // What goes on the wire: the typed request with the extras merged in place.
        let body = try JSONEncoder().encode(register)
        let merged = try JSONDecoder().decode(JSONValue.self, from: body).merging(register.additionalFields!)
        guard case .object(let root) = merged, case .array(let containers)? = root["containerDefinitions"],
            case .object(let app)? = containers.first
        else { Issue.record("\(merged)"); return }
        #expect(app["image"] != nil && app["futureKnob"] == .object(["level": .number(3)]))
    }

    @Test func withoutTheSettingTheyAreErrors() {
        let loaded = load(Self.files(allow: false))
        #expect(loaded.diagnostics.errors.contains { $0.message.contains("unknown field 'futureSetting'") })
        #expect(loaded.diagnostics.errors.contains { $0.message.contains("unknown field 'futureKnob'") })
    }

    @Test func berthsOwnFieldsStayStrict() {
        var files = Self.files(allow: true)
        files["environments/staging/api.yaml"] = "servce: {desiredCount: 1}\n"
        files["environments/staging/environment.yaml"]! += "polcy: {}\n"
        let loaded = load(files)
        #expect(loaded.diagnostics.errors.contains { $0.message.contains("unknown field 'servce'") })
        #expect(loaded.diagnostics.errors.contains { $0.message.contains("unknown field 'polcy'") })
    }

    /// The schema follows botocore: ECS's service `monitoring` (2026) is a field like any other.
    @Test func serviceMonitoringIsKnown() throws {
        var files = baseFiles()
        files["environments/staging/api.yaml"] = """
            service:
              monitoring:
                metricConfigurations: [{metricNames: [CPUUtilization], resolutionSeconds: 20}]

            """
        let loaded = load(files)
        #expect(loaded.diagnostics.errors.isEmpty, "\(loaded.diagnostics.errors.map(\.message))")
        let create = try #require(try loaded.rendered(environment: "staging").first?.createServiceRequest(taskDefinition: "arn"))
        #expect(create.monitoring?.metricConfigurations?.first?.resolutionSeconds == 20)
        #expect(create.additionalFields == nil)
    }
}
