import AWS
@testable import ECS
import ECSModel
import Foundation
import Testing

/// Scenarios every `ECSClient` must pass: run against moto's server (a real ECS API over
/// HTTP with SigV4) and against the embedded local backend.
enum ECSConformance {
    static func unique(_ base: String) -> String { "\(base)-\(UUID().uuidString.prefix(8).lowercased())" }

    static func container(_ name: String, image: String, port: Int? = nil) -> ECSAPI.ContainerDefinition {
        ECSAPI.ContainerDefinition(
            name: name, image: image, memory: 128,
            portMappings: port.map { [ECSAPI.PortMapping(containerPort: $0)] })
    }

    static func taskDefinitions(_ ecs: any ECSClient) async throws {
        let family = unique("conf-web")
        let request = ECSAPI.RegisterTaskDefinitionRequest(
            family: family, containerDefinitions: [container("web", image: "nginx:1.25", port: 80)],
            tags: [ECSAPI.Tag(key: "berth:commit", value: "abc123")])
        let first = try #require(try await ecs.registerTaskDefinition(request).taskDefinition)
        #expect(first.revision == 1)
        #expect(first.family == family)
        #expect(first.status == "ACTIVE")
        let arn = try #require(first.taskDefinitionArn)
        #expect(arn.hasPrefix("arn:aws:ecs:us-east-1:") && arn.hasSuffix(":task-definition/\(family):1"))
        #expect(first.containerDefinitions?.first?.essential == true)

        let described = try await ecs.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: arn, include: ["TAGS"]))
        #expect(described.taskDefinition?.containerDefinitions?.first?.image == "nginx:1.25")
        #expect(described.tags == [ECSAPI.Tag(key: "berth:commit", value: "abc123")])

        let second = try #require(try await ecs.registerTaskDefinition(request).taskDefinition)
        #expect(second.revision == 2)
        let arns = try await ecs.allTaskDefinitionArns(familyPrefix: family)
        #expect(arns.count == 2 && arns.allSatisfy { $0.contains(":task-definition/\(family):") })

        let latest = try await ecs.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: family))
        #expect(latest.taskDefinition?.revision == 2)

        let deregistered = try await ecs.deregisterTaskDefinition(ECSAPI.DeregisterTaskDefinitionRequest(taskDefinition: arn))
        #expect(deregistered.taskDefinition?.status == "INACTIVE")
        let active = try await ecs.allTaskDefinitionArns(familyPrefix: family, status: "ACTIVE")
        #expect(active == [second.taskDefinitionArn!])

        let secondArn = second.taskDefinitionArn!
        _ = try await ecs.tagResource(ECSAPI.TagResourceRequest(resourceArn: secondArn, tags: [ECSAPI.Tag(key: "team", value: "shop")]))
        var tags = try await ecs.listTagsForResource(ECSAPI.ListTagsForResourceRequest(resourceArn: secondArn)).tags ?? []
        #expect(tags.contains(ECSAPI.Tag(key: "team", value: "shop")))
        _ = try await ecs.tagResource(ECSAPI.TagResourceRequest(resourceArn: secondArn, tags: [ECSAPI.Tag(key: "team", value: "web")]))
        tags = try await ecs.listTagsForResource(ECSAPI.ListTagsForResourceRequest(resourceArn: secondArn)).tags ?? []
        #expect(tags.filter { $0.key == "team" } == [ECSAPI.Tag(key: "team", value: "web")])

        let missing = await #expect(throws: AWSError.self) {
            _ = try await ecs.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: family + "-nope:1"))
        }
        #expect(missing?.code == "ClientException")
        #expect(missing?.message.contains("Unable to describe task definition") == true)
    }

    static func services(_ ecs: any ECSClient) async throws {
        let cluster = unique("conf-cluster")
        _ = try await ecs.createCluster(ECSAPI.CreateClusterRequest(clusterName: cluster))
        let family = unique("conf-svc")
        let td = try #require(
            try await ecs.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: family, containerDefinitions: [container("app", image: "app:1")])
            ).taskDefinition)
        let names = (0..<12).map { "svc-\($0)" }
        for name in names {
            let created = try await ecs.createService(
                ECSAPI.CreateServiceRequest(
                    cluster: cluster, serviceName: name, taskDefinition: td.taskDefinitionArn, desiredCount: 0, launchType: "EC2"))
            #expect(created.service?.serviceName == name)
            #expect(created.service?.status == "ACTIVE")
        }
        let before = ecs.counter.count("DescribeServices")
        let described = try await ecs.describeServices(cluster: cluster, names: names + ["missing"])
        #expect(ecs.counter.count("DescribeServices") - before == 2)
        #expect(described.services?.map(\.serviceName) == names)
        #expect(described.failures?.count == 1)
        #expect(described.failures?.first?.reason == "MISSING")
        #expect(described.failures?.first?.arn?.hasSuffix("missing") == true)

        let updated = try await ecs.updateService(ECSAPI.UpdateServiceRequest(cluster: cluster, service: "svc-0", desiredCount: 2))
        #expect(updated.service?.desiredCount == 2)
        let after = try await ecs.describeServices(cluster: cluster, names: ["svc-0"])
        #expect(after.services?.first?.desiredCount == 2)
        #expect(after.services?.first?.taskDefinition?.contains(family) == true)
        #expect(after.services?.first?.deployments?.contains { $0.status == "PRIMARY" } == true)

        #expect(try await ecs.allServiceArns(cluster: cluster).count == 12)

        let missing = await #expect(throws: AWSError.self) {
            _ = try await ecs.updateService(ECSAPI.UpdateServiceRequest(cluster: cluster, service: "nope", desiredCount: 1))
        }
        #expect(missing?.code == "ServiceNotFoundException")
    }
}
