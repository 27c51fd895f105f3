import ECS
import ECSModel
import Foundation

/// A service as it runs: its settings and its current task definition, in import form.
package struct LiveService: Sendable {
    package let name: String
    package let family: String
    /// The task definition without images (they go to the overlay's `images:`).
    package let taskDefinition: JSONValue
    /// Container name to image, as running.
    package let images: [String: String]
    package let settings: JSONValue
}

/// Reads live services through the same ECS client plan and apply use. Read-only.
package struct LiveServices {
    let ecs: any ECSClient

    package init(ecs: any ECSClient) {
        self.ecs = ecs
    }

    /// `names`, or every ACTIVE service of the cluster when empty; names ECS does not know fail.
    package func read(cluster: String, names: [String]) async throws -> [LiveService] {
        var wanted = names
        if wanted.isEmpty {
            wanted = try await ecs.allServiceArns(cluster: cluster).map { String($0.split(separator: "/").last ?? "") }.sorted()
        }
        var result: [LiveService] = []
        for start in stride(from: 0, to: wanted.count, by: 10) {
            let chunk = Array(wanted[start..<min(start + 10, wanted.count)])
            let described = try await ecs.describeServices(cluster: cluster, names: chunk, includeTags: true)
            let found = Dictionary(
                (described.services ?? []).filter { $0.status == ECSStatus.active }.map { ($0.serviceName ?? "", $0) },
                uniquingKeysWith: { first, _ in first })
            for name in chunk {
                guard let service = found[name], let arn = service.taskDefinition else {
                    throw ImportError("service \(name) is not active in cluster \(cluster)")
                }
                let response = try await ecs.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: arn, include: ["TAGS"]))
                guard let definition = response.taskDefinition else {
                    throw ImportError("the task definition \(arn) of service \(name) cannot be read")
                }
                var images: [String: String] = [:]
                for container in definition.containerDefinitions ?? [] { images[container.name ?? ""] = container.image }
                var form = ImportForm.taskDefinition(definition, tags: response.tags)
                if case .object(var members) = form, case .array(let containers)? = members["containerDefinitions"] {
                    members["containerDefinitions"] = .array(
                        containers.map { container in
                            guard case .object(var fields) = container else { return container }
                            fields["image"] = nil
                            return .object(fields)
                        })
                    form = .object(members)
                }
                result.append(
                    LiveService(
                        name: name, family: definition.family ?? name, taskDefinition: form, images: images,
                        settings: ImportForm.serviceSettings(service, name: name)))
            }
        }
        return result
    }
}

package struct ImportError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ description: String) { self.description = description }
}
