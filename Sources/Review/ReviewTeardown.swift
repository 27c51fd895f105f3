import AWS
import Apply
import ECS
import ECSModel
import Foundation
import Manifests
import Plan

/// Removes one life of a review environment: marks its services (so a restart resumes the
/// teardown), scales them to zero, deregisters its task definitions, deletes the services.
/// Every step is taken only on a resource whose tags name this review environment and
/// instance; anything else met on the way is reported and left alone. Each step is idempotent:
/// running the teardown again after a crash carries on where it stopped.
///
/// Task definitions go before the services, because the services (and their marker tag) are
/// what makes an unfinished teardown visible to the next pass.
package struct ReviewTeardown: Sendable {
    package let client: any ECSClient
    package let cache: TaskDefinitionCache
    /// Called before every write (lease fencing).
    package let beforeWrite: (@Sendable () async throws -> Void)?
    let progress: @Sendable (String) -> Void

    package struct Report: Sendable, Codable, Equatable {
        package var scaledDown: [String] = []
        package var deregistered: [String] = []
        package var deletedServices: [String] = []
        /// Resources with a look-alike name and without this environment's tags.
        package var leftAlone: [String] = []
    }

    package init(
        client: any ECSClient, cache: TaskDefinitionCache, beforeWrite: (@Sendable () async throws -> Void)? = nil,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.client = client
        self.cache = cache
        self.beforeWrite = beforeWrite
        self.progress = progress
    }

    /// `families` and `serviceNames` are where else this environment's resources could be
    /// (`<name>-<service>` for each service the template knows): looked at, touched only when tagged.
    package func run(
        _ instance: ReviewInstance, cluster: String, reason: String, families: [String] = [],
        serviceNames: [String] = []
    ) async throws -> Report {
        let owner = instance.identity(base: "")
        var report = Report()
        // Services the template names that the inventory did not see (one created after it was
        // taken): this life's are torn down with the rest, anyone else's reported.
        let known = Set(instance.services.compactMap(\.serviceName))
        let others = serviceNames.filter { !known.contains($0) }
        var late: [ECSAPI.Service] = []
        if !others.isEmpty {
            let found = try await client.describeServices(cluster: cluster, names: others, includeTags: true).services ?? []
            for service in found where service.status == ECSStatus.active {
                if owner.owns(Tags.map(service.tags)) {
                    late.append(service)
                } else {
                    report.leftAlone.append("service \(service.serviceName ?? ""): " + Self.whose(Tags.map(service.tags)))
                }
            }
        }
        let services = instance.services + late
        let active = services.filter { $0.status == ECSStatus.active }
        for service in active where Tags.map(service.tags)[ReviewInstance.teardownTag] == nil {
            try await beforeWrite?()
            _ = try await client.tagResource(
                ECSAPI.TagResourceRequest(
                    resourceArn: service.serviceArn,
                    tags: [ECSAPI.Tag(key: ReviewInstance.teardownTag, value: String(reason.prefix(256)))]))
        }
        for service in active where (service.desiredCount ?? 0) > 0 {
            try await beforeWrite?()
            _ = try await client.updateService(ECSAPI.UpdateServiceRequest(cluster: cluster, service: service.serviceName, desiredCount: 0))
            report.scaledDown.append(service.serviceName ?? "")
            progress("\(instance.name): scaled \(service.serviceName ?? "") to 0")
        }
        let liveFamilies = services.compactMap { $0.taskDefinition.map(Self.family) }
        var foreign: [String] = []
        report.deregistered = try await deregister(
            in: families + liveFamilies, where: { owner.owns($0) },
            notDeregistered: { arn, tags in
                foreign.append("task definition \(Applier.short(arn)): " + Self.whose(tags))
            }, progress: { revision, _ in "\(instance.name): deregistered \(revision)" })
        report.leftAlone += foreign
        for service in active {
            try await beforeWrite?()
            _ = try await client.deleteService(ECSAPI.DeleteServiceRequest(cluster: cluster, service: service.serviceName))
            report.deletedServices.append(service.serviceName ?? "")
            progress("\(instance.name): deleted service \(service.serviceName ?? "")")
        }
        return report
    }

    /// Before a new life of `identity.name` is created: deregisters the ACTIVE task definitions
    /// in `families` of an earlier life that never got a service (its creation failed, and the
    /// process that made it is gone). Only revisions tagged with this name and another instance;
    /// no services of the name exist at this point, or the new life would have waited.
    package func sweepEarlierLives(of identity: ReviewIdentity, families: [String]) async throws -> [String] {
        try await deregister(
            in: families,
            where: { tags in
                tags[ReviewIdentity.nameTag] == identity.name && tags[ReviewIdentity.instanceTag].map { $0 != identity.instance } == true
            },
            progress: { revision, tags in
                "\(identity.name): deregistered \(revision) of an earlier life (\(tags[ReviewIdentity.instanceTag] ?? "?")) that never ran"
            })
    }

    /// Deregisters the ACTIVE revisions of `families` whose tags pass `owned`; the others are
    /// handed to `notDeregistered`. Returns what was deregistered (`family:revision`).
    private func deregister(
        in families: [String], where owned: ([String: String]) -> Bool,
        notDeregistered: (String, [String: String]) -> Void = { _, _ in },
        progress line: (String, [String: String]) -> String
    ) async throws -> [String] {
        var deregistered: [String] = []
        for family in Set(families).sorted() {
            for arn in try await client.allTaskDefinitionArns(familyPrefix: family, status: ECSStatus.active) {
                let tags = try await cache.get(arn, from: client).tags
                guard owned(tags) else {
                    notDeregistered(arn, tags)
                    continue
                }
                try await beforeWrite?()
                _ = try await client.deregisterTaskDefinition(ECSAPI.DeregisterTaskDefinitionRequest(taskDefinition: arn))
                deregistered.append(Applier.short(arn))
                progress(line(Applier.short(arn), tags))
            }
        }
        return deregistered
    }

    /// `family` of a task definition ARN or `family:revision`.
    static func family(_ reference: String) -> String {
        let name = reference.split(separator: "/").last.map(String.init) ?? reference
        return String(name.split(separator: ":").first ?? Substring(name))
    }

    static func whose(_ tags: [String: String]) -> String {
        if let name = tags[ReviewIdentity.nameTag] {
            return "belongs to review environment \(name) (instance \(tags[ReviewIdentity.instanceTag] ?? "?")); left alone"
        }
        if let environment = tags[Tags.environment] { return "belongs to environment \(environment); left alone" }
        return "not tagged by berth; left alone"
    }
}
