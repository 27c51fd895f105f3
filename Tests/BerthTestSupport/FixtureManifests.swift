import Foundation

/// Every real task definition in ../shared/fixtures/taskdefs as a manifest repository of one
/// service in environment `test`.
package enum FixtureManifests {
    package static let folder = sharedFolder + "/fixtures/taskdefs"
    package static let templates: Set<String> = ["05", "39", "49", "57"]
    /// CLI skeletons (`--generate-cli-skeleton`, every number 0): ECS refuses them as they are
    /// (a health check interval of 0), and so does `berth validate`.
    package static let skeletons: Set<String> = ["23"]
    /// The plain (not templated) fixture files that ECS would register.
    package static var plain: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".json") && !templates.contains(String($0.prefix(2))) && !skeletons.contains(String($0.prefix(2))) }
            .sorted()
    }

    /// The manifests for one fixture: images supplied where the file leaves them to CI, and
    /// a network for awsvpc services on AWS.
    package static func files(_ fixture: String, target: String, network: (String, String)?) throws -> [String: String] {
        let text = try String(contentsOfFile: folder + "/" + fixture, encoding: .utf8)
        var json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        if let inner = json["taskDefinition"] as? [String: Any] { json = inner }
        let containers = json["containerDefinitions"] as? [[String: Any]] ?? []
        let images = containers.compactMap { container -> String? in
            guard let name = container["name"] as? String else { return nil }
            let image = container["image"] as? String ?? ""
            return image.isEmpty || image.contains("<") ? "  \(name): public.ecr.aws/docker/library/busybox:1.36" : nil
        }
        var overlay = "service:\n  desiredCount: 1\n"
        if (json["networkMode"] as? String) == "awsvpc", let (subnet, group) = network {
            overlay += "  networkConfiguration: {awsvpcConfiguration: {subnets: [\(subnet)], securityGroups: [\(group)]}}\n"
        }
        if !images.isEmpty { overlay += "images:\n" + images.joined(separator: "\n") + "\n" }
        // moto (unlike ECS) refuses an EC2 container with only memoryReservation unless the task
        // sets memory: give such tasks a task-level size on moto.
        let ec2 = (json["requiresCompatibilities"] as? [String])?.contains("EC2") ?? false
        if network != nil, ec2, json["memory"] == nil, containers.contains(where: { $0["memory"] == nil }) {
            overlay += "taskDefinition: {memory: \"512\"}\n"
        }
        return [
            "berth.yaml": "version: 1\n",
            "environments/test/environment.yaml": "target:\n  \(target)\n",
            "environments/test/svc.yaml": overlay,
            "services/svc/service.yaml": "taskDefinitionFile: task-definition.json\n",
            "services/svc/task-definition.json": text,
        ]
    }
}
