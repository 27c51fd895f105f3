import AWS
import ECS
import ECSModel
import Foundation
import Manifests
import Plan

package enum ReviewInventory {
    /// Every review environment in `cluster`, by its services' tags. One ListServices per 100
    /// services and one DescribeServices per 10; nothing when the cluster does not exist.
    package static func observe(client: any ECSClient, cluster: String) async throws -> [ReviewInstance] {
        let arns: [String]
        do {
            arns = try await client.allServiceArns(cluster: cluster)
        } catch let error as AWSError where error.code == "ClusterNotFoundException" {
            return []
        }
        let names = arns.map { String($0.split(separator: "/").last ?? "") }
        let services = try await client.describeServices(cluster: cluster, names: names, includeTags: true).services ?? []
        var instances: [String: ReviewInstance] = [:]
        for service in services where service.status == ECSStatus.active || service.status == ECSStatus.draining {
            let tags = Tags.map(service.tags)
            guard let name = tags[ReviewIdentity.nameTag], let instance = tags[ReviewIdentity.instanceTag] else { continue }
            let key = name + "/" + instance
            var entry =
                instances[key]
                ?? ReviewInstance(
                    name: name, instance: instance, branch: tags[ReviewIdentity.branchTag] ?? "",
                    created: tags[ReviewIdentity.createdTag].flatMap(Freeze.parseDate), services: [])
            entry.services.append(service)
            if let reason = tags[ReviewInstance.teardownTag] { entry.teardown = entry.teardown ?? reason }
            instances[key] = entry
        }
        return instances.values.sorted { ($0.name, $0.instance) < ($1.name, $1.instance) }
    }
}
