import Foundation
import Testing

/// The module graph, checked three ways: Package.swift declares it, docs/architecture.md's
/// table says the same, and every source file imports only what its module declares (SwiftPM
/// alone lets a module import whatever its dependencies brought along). A declared edge no file
/// uses fails too, so the graph never says more than the code does.
@Suite struct ModuleGraphTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
    static let sources = root + "/Sources"

    /// berth's own modules: the folders under Sources/.
    static func modules() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: sources).filter { !$0.hasPrefix(".") })
    }

    /// Each module of Sources/ with the modules of berth it depends on in Package.swift.
    static func declared() throws -> [String: Set<String>] {
        let own = try modules()
        let text = try String(contentsOfFile: root + "/Package.swift", encoding: .utf8)
        var graph: [String: Set<String>] = [:]
        // Each target runs from its `.kind(name:` to the next target; its own modules are the
        // quoted names in between that are folders of Sources/.
        let starts = text.matches(of: try Regex(#"\.(target|executableTarget|systemLibrary|testTarget)\(\s*name: "([^"]+)""#))
        for (index, start) in starts.enumerated() {
            guard let kind = start.output[1].substring, let name = start.output[2].substring.map(String.init),
                kind != "testTarget", own.contains(name)
            else { continue }
            let end = index + 1 < starts.count ? starts[index + 1].range.lowerBound : text.endIndex
            let quoted = text[start.range.upperBound..<end].split(separator: "\"", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map { String($0.element) }
            graph[name] = Set(quoted).intersection(own)
        }
        return graph
    }

    /// The "May import" column of docs/architecture.md's module table.
    static func documented() throws -> [String: Set<String>] {
        let text = try String(contentsOfFile: root + "/docs/architecture.md", encoding: .utf8)
        var graph: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 3 else { continue }
            graph[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = Set(names(in: cells[cells.count - 1]))
        }
        return graph
    }

    static func names(in cell: String) -> [String] {
        cell.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    /// Every import of one of berth's modules, by the module whose file makes it.
    static func imports() throws -> [(module: String, file: String, imported: String)] {
        let own = try modules()
        var found: [(module: String, file: String, imported: String)] = []
        for module in own.sorted() {
            let folder = sources + "/" + module
            guard let walker = FileManager.default.enumerator(atPath: folder) else { continue }
            while let relative = walker.nextObject() as? String {
                guard relative.hasSuffix(".swift") else { continue }
                let text = try String(contentsOfFile: folder + "/" + relative, encoding: .utf8)
                for line in text.split(separator: "\n") {
                    let words = line.split(separator: " ").map(String.init)
                    guard let at = words.firstIndex(of: "import"), at + 1 < words.count,
                        words[..<at].allSatisfy({ $0.hasPrefix("@") || ["package", "public", "internal"].contains($0) })
                    else { continue }
                    if own.contains(words[at + 1]) { found.append((module, "Sources/\(module)/\(relative)", words[at + 1])) }
                }
            }
        }
        return found
    }

    @Test func packageAndDocsNameEveryModule() throws {
        let own = try Self.modules()
        #expect(own.count > 10, "no modules found under \(Self.sources)")
        #expect(Set(try Self.declared().keys) == own, "Sources/ and Package.swift name different modules")
        #expect(Set(try Self.documented().keys) == own, "Sources/ and docs/architecture.md name different modules")
    }

    @Test func docsSayWhatPackageDeclares() throws {
        let declared = try Self.declared(), documented = try Self.documented()
        let differences = declared.keys.sorted().compactMap { module -> String? in
            let code = declared[module] ?? [], docs = documented[module] ?? []
            guard code != docs else { return nil }
            return "\(module): Package.swift only \(code.subtracting(docs).sorted()), docs only \(docs.subtracting(code).sorted())"
        }
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }

    @Test func importsFollowTheGraph() throws {
        let declared = try Self.declared(), imports = try Self.imports()
        #expect(imports.count > 100)
        let violations = imports.filter { declared[$0.module]?.contains($0.imported) != true }.map { "\($0.file): imports \($0.imported)" }
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
    }

    @Test func everyDeclaredEdgeIsUsed() throws {
        let imports = try Self.imports()
        let dead = try Self.declared().sorted { $0.key < $1.key }.flatMap { module, dependencies in
            dependencies.filter { dependency in !imports.contains { $0.module == module && $0.imported == dependency } }.sorted()
                .map { "\(module) -> \($0)" }
        }
        #expect(dead.isEmpty, "declared in Package.swift, imported by no file: \(dead.joined(separator: ", "))")
    }
}
