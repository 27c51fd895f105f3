import ECS
import ECSModel
import Foundation
import Manifests
import Plan
import Yams

/// `berth import`: writes manifests for services that already run, so a team adopts berth
/// without redeploying anything. Reads ECS only; checks every file it would write before
/// writing any, and refuses to overwrite one unless forced.
package struct ManifestImporter {
    /// The manifest root on disk (the work tree, plus `--path`).
    package let root: String
    package let loaded: LoadedManifests
    package let connector: TargetConnector

    package init(root: String, loaded: LoadedManifests, connector: TargetConnector) {
        self.root = root
        self.loaded = loaded
        self.connector = connector
    }

    /// Imports `services` (all of each cluster's when empty) of `environments`; returns the
    /// files written, relative to the root. Several environments at once share one base file.
    package func run(environments: [String], services: [String], force: Bool) async throws -> [String] {
        var live: [String: [String: LiveService]] = [:]  // service -> environment -> live
        for name in environments {
            guard let environment = loaded.environment(name) else {
                throw ImportError("environments/\(name)/environment.yaml does not exist or does not load; give it a target first (or pass --cluster)")
            }
            let ecs = await connector.client(for: environment.target)
            for service in try await LiveServices(ecs: ecs).read(cluster: environment.target.cluster, names: services) {
                live[service.name, default: [:]][name] = service
            }
        }
        var files: [(path: String, text: String)] = []
        for (service, byEnvironment) in live.sorted(by: { $0.key < $1.key }) {
            let names = environments.filter { byEnvironment[$0] != nil }
            let documents = names.map { document(byEnvironment[$0]!, environment: $0) }
            let basePath = "services/\(service)/service.yaml"
            let overlays: [JSONValue]
            if !force, let existing = try existingBase(basePath) {
                overlays = documents.map { Factoring.difference(from: existing, to: $0, field: nil) ?? .object([:]) }
            } else {
                let split = Factoring.split(documents)
                files.append((basePath, YAMLWriter.document(split.base)))
                overlays = split.overlays
            }
            for (index, env) in names.enumerated() {
                guard case .object(var overlay) = overlays[index] else { continue }
                overlay["images"] = .object(byEnvironment[env]!.images.mapValues { .string($0) })
                files.append(("environments/\(env)/\(service).yaml", YAMLWriter.document(.object(overlay))))
            }
        }
        let taken = files.map(\.path).filter { FileManager.default.fileExists(atPath: root + "/" + $0) }
        if !force && !taken.isEmpty {
            throw ImportError(
                "these files exist and were left alone (nothing was written; --force replaces them):\n  " + taken.joined(separator: "\n  "))
        }
        for file in files {
            let full = root + "/" + file.path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try file.text.write(toFile: full, atomically: true, encoding: .utf8)
        }
        return files.map(\.path)
    }

    /// The manifest form of one environment's live service: berth's default family left out.
    func document(_ service: LiveService, environment: String) -> JSONValue {
        var definition = service.taskDefinition
        if case .object(var members) = definition, service.family == "\(environment)-\(service.name)" {
            members["family"] = nil
            definition = .object(members)
        }
        return JSONValue.object(["taskDefinition": definition, "service": service.settings]).pruned() ?? .object([:])
    }

    /// An existing base file, which new overlays are written against; nil when there is none.
    func existingBase(_ path: String) throws -> JSONValue? {
        let full = root + "/" + path
        guard let text = try? String(contentsOfFile: full, encoding: .utf8) else { return nil }
        guard let parsed = try? Yams.load(yaml: text), let value = JSONValue(yaml: parsed), value["taskDefinitionFile"] == nil else {
            throw ImportError("\(path) exists but is not a plain service file berth can import against; --force replaces it")
        }
        return value
    }
}

extension JSONValue {
    /// From what Yams parses (dictionaries, arrays, strings, numbers, booleans, null).
    init?(yaml: Any?) {
        switch yaml {
        case nil, is NSNull: self = .null
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .number(Double(i))
        case let d as Double: self = .number(d)
        case let s as String: self = .string(s)
        case let items as [Any]:
            var values: [JSONValue] = []
            for item in items {
                guard let value = JSONValue(yaml: item) else { return nil }
                values.append(value)
            }
            self = .array(values)
        case let members as [String: Any]:
            var values: [String: JSONValue] = [:]
            for (key, item) in members {
                guard let value = JSONValue(yaml: item) else { return nil }
                values[key] = value
            }
            self = .object(values)
        default: return nil
        }
    }
}
