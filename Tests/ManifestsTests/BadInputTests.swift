import Foundation
import Testing
@testable import Manifests

/// A service.yaml whose container list starts on line 7.
func serviceFile(
    _ containers: String, network: String = "awsvpc", compat: String = "FARGATE",
    cpu: String = "\"256\"", memory: String = "\"512\"", tail: String = ""
) -> String {
    """
    taskDefinition:
      cpu: \(cpu)
      memory: \(memory)
      networkMode: \(network)
      requiresCompatibilities: [\(compat)]
      containerDefinitions:
    \(containers)
    \(tail)
    """
}

struct BadInput: CustomTestStringConvertible, Sendable {
    let name: String
    let files: [String: String?]
    let file: String
    let line: Int
    let message: String
    var severity: Diagnostic.Severity = .error
    var contents: [String: ManifestFiles.Content] = [:]

    var testDescription: String { name }
}

@Suite struct BadInputTests {
    static let api = "services/api/service.yaml"
    static let staging = "environments/staging/environment.yaml"
    static let prodAPI = "environments/prod/api.yaml"

    /// One folder a case under BadInputs/: `case.txt` says what is expected (`expect: FILE:LINE:
    /// SEVERITY: MESSAGE`, the message a part of what berth says) and what else is done to the
    /// valid base (`delete:`, `symlink:`, `submodule:` a path); `files/` holds the files the case
    /// writes over the base, byte for byte.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("BadInputs").path

    static let cases: [BadInput] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().compactMap { name in try? readCase(folder + "/" + name) }
    }()

    static func readCase(_ folder: String) throws -> BadInput {
        var name = "", expect = "", files: [String: String?] = [:], contents: [String: ManifestFiles.Content] = [:]
        for line in try String(contentsOfFile: folder + "/case.txt", encoding: .utf8).split(separator: "\n") {
            let (key, value) = (line.prefix { $0 != ":" }, String(line.drop { $0 != ":" }.dropFirst().drop { $0 == " " }))
            switch key {
            case "name": name = value
            case "expect": expect = value
            case "delete": files[value] = .some(nil)
            case "symlink": contents[value] = .symlink
            case "submodule": contents[value] = .submodule
            default: throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: folder + "/case.txt"])
            }
        }
        let root = folder + "/files/"
        if let walker = FileManager.default.enumerator(atPath: root) {
            while let relative = walker.nextObject() as? String {
                var directory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: root + relative, isDirectory: &directory), !directory.boolValue else { continue }
                contents[relative] = .data(Array(try Data(contentsOf: URL(fileURLWithPath: root + relative))))
            }
        }
        // FILE:LINE: SEVERITY: MESSAGE
        let parts = expect.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 4, let line = Int(parts[1]) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: folder + "/case.txt"])
        }
        return BadInput(
            name: name, files: files, file: parts[0], line: line, message: parts[3], severity: parts[2] == "warning" ? .warning : .error,
            contents: contents)
    }

    @Test func thereAreEnoughCases() throws {
        // Every folder is a case that reads: a folder that does not fails here, not silently.
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.folder)
        #expect(Self.cases.count == folders.count, "\(folders.count) folders, \(Self.cases.count) cases read")
        #expect(Self.cases.filter { $0.severity == .error }.count >= 100)
    }

    @Test(arguments: cases)
    func reportsFileLineAndMessage(_ bad: BadInput) throws {
        var files = baseFiles()
        for (path, text) in bad.files { files[path] = text }
        var contents = files.compactMapValues { $0 }.mapValues { ManifestFiles.Content.data(Array($0.utf8)) }
        for (path, content) in bad.contents { contents[path] = content }
        let loaded = ManifestLoader().load(ManifestFiles(files: contents, displayPrefix: "manifests/"))

        let matching = loaded.diagnostics.sorted.filter { $0.message.contains(bad.message) }
        let found = try #require(
            matching.first, "no diagnostic says '\(bad.message)'; got:\n\(loaded.diagnostics.sorted.map(\.description).joined(separator: "\n"))")
        #expect(found.severity == bad.severity)
        #expect(found.location.file == "manifests/" + bad.file)
        #expect(found.location.line == bad.line, "\(found)")
        #expect(found.location.column >= 1)
        #expect(found.description.hasPrefix("manifests/\(bad.file):\(bad.line):"))
        if bad.severity == .error {
            // Something is blocked, and a blocked environment renders nothing.
            #expect(!loaded.blockedEnvironments.isEmpty)
            for env in loaded.blockedEnvironments { #expect(loaded.rendered(environment: env).isEmpty) }
        }
    }

    /// A value checked in its overlay and again after merging is one problem, reported once.
    @Test func aProblemIsReportedOnceWhateverPathsItWasCheckedAt() {
        var files = baseFiles()
        files[Self.prodAPI] = "taskDefinition:\n  containerDefinitions:\n    - name: app\n      portMappings: [{containerPort: 70000}]\n"
        let found = load(files).diagnostics.sorted.filter { $0.message.contains("containerPort 70000 is out of range") }
        #expect(found.count == 1, "\(found)")
    }

    @Test func theValidBaseHasNoDiagnostics() {
        let loaded = load(baseFiles())
        #expect(loaded.diagnostics.items.isEmpty, "\(loaded.diagnostics.items)")
        #expect(loaded.blockedEnvironments.isEmpty)
        #expect(loaded.rendered.count == 2)
    }

    /// Placeholders and plain-text secrets are found anywhere in a task definition, and named
    /// by the field they are in (its path is only spelled out for a field that has one).
    @Test func placeholdersAndSecretsNameTheirField() {
        var files = baseFiles()
        files[Self.api] = serviceFile(
            "    - name: app\n      image: r/api:<IMAGE_TAG>\n      command: [run, \"--flag={{ .Flag }}\"]\n"
                + "      environment: [{name: PLAIN, value: \"a <b> c\"}, {name: DB_PASSWORD, value: hunter2}]\n"
                + "      dockerLabels: {note: \"<lowercase> is no placeholder\"}")
        let found = load(files).diagnostics.sorted.map { "\($0.severity) \($0.field ?? "-"): \($0.message.prefix(60))" }
        let container = "taskDefinition.containerDefinitions[0]"
        for expected in [
            "error \(container).command[1]: unrendered template placeholder {{",
            "warning \(container).image: unrendered template placeholder <IMAGE_TAG>",
            "warning \(container).environment[1].value: environment variable 'DB_PASSWORD'",
        ] {
            #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
        }
        #expect(found.count == 3, "\(found)")
    }

    @Test func secretValuesNeverAppearInMessages() {
        var files = baseFiles()
        files[Self.api] = serviceFile(
            "    - name: app\n      image: r/api:1\n      environment: [{name: API_TOKEN, value: canary-s3cr3t-value}, {name: X, value: AKIAABCDEFGHIJKLMNOP}]"
        )
        let loaded = load(files)
        #expect(loaded.diagnostics.warnings.count >= 2)
        #expect(
            loaded.diagnostics.items.allSatisfy {
                !$0.description.contains("canary-s3cr3t-value") && !$0.description.contains("AKIAABCDEFGHIJKLMNOP")
            })
    }

    @Test func allErrorsOfARunAreReportedTogetherAndSorted() {
        var files = baseFiles()
        files[Self.prodAPI] = "service:\n  desiredCount: two\n"
        files[Self.staging] = "target: {local: {}}\nrelease: {version: \"1\"}\npolcy: {}\n"
        files["berth.yaml"] = "version: 3\n"
        let errors = load(files).diagnostics.sorted.filter { $0.severity == .error }
        #expect(errors.count == 3, "\(errors)")
        #expect(errors.map(\.location.file) == ["berth.yaml", Self.prodAPI, Self.staging])
    }
}
