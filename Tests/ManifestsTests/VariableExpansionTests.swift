import Testing

@testable import Manifests

/// An environment's variables are expanded once, and each service reads them with its own name.
@Suite struct VariableExpansionTests {
    @Test func eachServiceReadsTheEnvironmentsVariablesWithItsOwnName() {
        let expanded = VariableExpansion.forEnvironment(["env": "prod", "vars.log": "/ecs/${env}/${service}/${service}", "vars.tag": "t1"])
        let api = VariableExpansion.forService(expanded, "api")
        #expect(api["vars.log"] == "/ecs/prod/api/api")
        #expect(api["vars.tag"] == "t1" && api["service"] == "api" && api["vars.none"] == nil)
        #expect(VariableExpansion.forService(expanded, "web")["vars.log"] == "/ecs/prod/web/web")
        #expect(Set(api.names) == ["env", "service", "vars.log", "vars.tag"])
    }
}
