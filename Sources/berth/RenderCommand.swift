import ArgumentParser
import Manifests

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Print the RegisterTaskDefinition request and service settings an environment should run.")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, yaml
    }

    @OptionGroup var source: ManifestOptions

    @Option(help: "The environment to render.")
    var env: String

    @Option(help: "Only this service.")
    var service: String?

    @Option(help: "json or yaml.")
    var output: Format = .json

    func run() throws {
        let loaded = try source.load()
        guard loaded.environmentNames.contains(env) else {
            throw CLIError("no environment '\(env)' (environments: \(loaded.environmentNames.joined(separator: ", ")))")
        }
        let diagnostics = loaded.diagnostics.sorted
        DiagnosticPrinter.print(diagnostics)
        if loaded.blockedEnvironments.contains(env) {
            throw CLIError("environment '\(env)' has errors; nothing rendered")
        }
        var services = loaded.rendered(environment: env)
        if let service {
            services = services.filter { $0.service == service }
            guard !services.isEmpty else {
                let known = loaded.environment(env)?.services ?? []
                throw CLIError("service '\(service)' does not run in '\(env)' (services: \(known.joined(separator: ", ")))")
            }
        }
        let documents = services.map { rendered in
            Node.document(
                [
                    ("environment", rendered.environment),
                    ("service", rendered.service),
                ], commit: loaded.commit?.hex, taskDefinition: rendered.taskDefinition, serviceSettings: rendered.serviceSettings)
        }
        let document = service != nil ? documents[0] : Node(.list(documents), at: SourceLocation(file: "-"))
        switch output {
        case .json: print(JSONWriter.write(document))
        case .yaml: print(try YAMLWriter.write(document), terminator: "")
        }
    }
}

extension Node {
    /// The document `render` prints for one service.
    static func document(_ names: [(String, String)], commit: String?, taskDefinition: Node, serviceSettings: Node) -> Node {
        let at = SourceLocation(file: "-")
        var entries = names.map { Node.Entry(key: $0.0, keyLocation: at, node: Node(.string($0.1), at: at)) }
        if let commit { entries.append(Node.Entry(key: "commit", keyLocation: at, node: Node(.string(commit), at: at))) }
        entries.append(Node.Entry(key: "taskDefinition", keyLocation: at, node: taskDefinition))
        entries.append(Node.Entry(key: "serviceSettings", keyLocation: at, node: serviceSettings))
        return Node(.map(entries), at: at)
    }
}
