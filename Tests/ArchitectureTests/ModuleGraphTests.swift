import Foundation
import Testing

/// The module graph of docs/architecture.md, checked against what each source file imports:
/// data flows one way, and a module that reaches upstream (or sideways past its neighbours)
/// fails here before it becomes a habit.
@Suite struct ModuleGraphTests {
    /// Who may import whom among berth's own modules. Third-party and system modules are free.
    static let allowed: [String: Set<String>] = [
        "CGit2": [],
        "CMemory": [],
        "CLibc": [],
        "Blocking": [],
        "Git": ["CGit2"],
        "ECSModel": [],
        "Manifests": ["Git", "ECSModel"],
        "AWS": [],
        "ECS": ["AWS", "ECSModel", "Blocking"],
        "Canonical": ["ECSModel", "Manifests"],
        "Records": ["Git", "Blocking"],
        "Trust": ["Git", "Manifests"],
        "Notify": ["Manifests"],
        "Forge": [],
        "LocalAWS": ["AWS"],
        "Reconcile": ["Git", "Manifests", "ECSModel", "ECS", "AWS", "Canonical", "Records", "Trust", "Notify"],
        "Adoption": ["ECSModel", "ECS", "Manifests", "Canonical", "Reconcile"],
        "Delivery": ["Git", "Manifests", "ECSModel", "ECS", "Canonical", "Records", "Trust", "Notify", "Reconcile", "Forge"],
        "Controller": [
            "Git", "Manifests", "ECSModel", "ECS", "AWS", "Canonical", "Records", "Trust", "Notify",
            "Reconcile", "CMemory", "Blocking",
        ],
        "berth": ["Git", "Manifests", "ECSModel", "ECS", "Records", "Reconcile", "Delivery", "Controller", "Adoption", "Forge", "CLibc"],
        "manifest-fuzzer": ["Manifests", "Canonical", "ECSModel"],
        "berth-bench": [
            "Git", "Manifests", "Delivery", "Reconcile", "Records", "Notify", "ECSModel", "ECS", "AWS",
            "Controller", "CMemory", "LocalAWS",
        ],
    ]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources").path

    @Test func everyModuleIsInTheGraph() throws {
        let modules = try FileManager.default.contentsOfDirectory(atPath: Self.sources).filter { !$0.hasPrefix(".") }
        #expect(modules.count > 10, "no modules found under \(Self.sources)")
        #expect(Set(modules) == Set(Self.allowed.keys), "Sources/ and the graph name different modules")
    }

    @Test func importsFollowTheGraph() throws {
        let own = Set(Self.allowed.keys)
        var violations: [String] = []
        var files = 0
        for module in Self.allowed.keys.sorted() {
            let root = Self.sources + "/" + module
            guard let walker = FileManager.default.enumerator(atPath: root) else { continue }
            while let relative = walker.nextObject() as? String {
                guard relative.hasSuffix(".swift") else { continue }
                files += 1
                let text = try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ").map(String.init)
                    guard let at = words.firstIndex(of: "import"), at + 1 < words.count,
                        words[..<at].allSatisfy({ $0.hasPrefix("@") || $0 == "package" || $0 == "public" })
                    else { continue }
                    let imported = words[at + 1]
                    if own.contains(imported), !Self.allowed[module]!.contains(imported) {
                        violations.append("Sources/\(module)/\(relative): imports \(imported)")
                    }
                }
            }
        }
        #expect(files > 100)
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
    }
}
