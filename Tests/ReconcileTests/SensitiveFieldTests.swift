import Canonical
import ECSModel
import Testing

/// Which plan lines hide their values: secrets by name or by value, and nothing else.
@Suite struct SensitiveFieldTests {
    @Test func secretsAreHiddenSettingsAreNot() {
        func added(_ name: String, _ value: String) -> FieldChange {
            FieldChange(
                path: "containerDefinitions[app].environment[\(name)]", kind: .added, before: nil,
                after: .object(["name": .string(name), "value": .string(value)]))
        }
        #expect(added("DB_PASSWORD", "x").sensitive)
        #expect(added("DATABASE_URL", "postgres://app:hunter2secret@db/app").sensitive)
        #expect(!added("SMTP_CREDENTIALS__PORT", "587").sensitive)
        #expect(!added("GIT_SHA", "3f786850e387550fdab836ed7e6dc881de23001b").sensitive)
        #expect(
            FieldChange(
                path: "containerDefinitions[app].logConfiguration.options.apikey", kind: .changed,
                before: .string("a"), after: .string("b")
            ).sensitive)
        #expect(!FieldChange(path: "containerDefinitions[app].image", kind: .changed, before: .string("r:1"), after: .string("r:2")).sensitive)
    }
}
