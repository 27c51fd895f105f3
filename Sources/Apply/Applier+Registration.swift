import AWS
import ECS
import ECSModel
import Foundation
import Git
import Manifests
import Plan
import Records

/// Task definitions: reused by spec hash where one exists, registered (tagged with where they
/// came from) where none does.
extension Applier {
    func ensureCluster(_ cluster: String) async throws {
        let existing = try await client.describeClusters(ECSAPI.DescribeClustersRequest(clusters: [cluster]))
        if existing.clusters?.contains(where: { $0.clusterName == cluster && $0.status == ECSStatus.active }) != true {
            try await hooks.beforeWrite?()
            _ = try await client.createCluster(ECSAPI.CreateClusterRequest(clusterName: cluster))
        }
    }

    /// The task definition `want` needs: the live one when it matches, else a revision with the
    /// same spec hash, else a new registration tagged with where it came from.
    func resolveTaskDefinition(_ plan: ServicePlan, _ want: DesiredService, environment: Environment, commit: ObjectID) async throws -> String {
        guard plan.taskDefinitionChanged else { return plan.liveTaskDefinitionArn ?? "" }
        // A registration whose answer was lost may still have happened: look again before retrying.
        for attempt in 1...3 {
            if let existing = try await cache.find(family: want.rendered.family, specHash: want.specHash, in: client, owner: environment.review) {
                progress("\(environment.name)/\(want.name): reusing \(Self.short(existing)) (same spec)")
                return existing
            }
            var request = try want.register
            request.tags = Self.tags(user: request.tags, want: want, environment: environment, commit: commit)
            try await hooks.beforeWrite?()
            let registered: ECSAPI.RegisterTaskDefinitionResponse
            do {
                registered = try await client.registerTaskDefinition(request)
            } catch let error as AWSError where error.isRetryable && attempt < 3 {
                // The lost request may still be on its way through ECS: give it time to land
                // before looking for it, or the next registration would be a second revision.
                if !error.surelyNotProcessed { try await Task.sleep(nanoseconds: UInt64(attempt) * 1_000_000_000) }
                continue
            }
            guard let arn = registered.taskDefinition?.taskDefinitionArn, arn.hasPrefix("arn:") else {
                throw ReconcileError(
                    .incompleteAnswer,
                    "ecs RegisterTaskDefinition for \(want.rendered.family) answered without a task definition ARN; "
                        + "\(want.name) is not changed (nothing was created or updated with it)")
            }
            progress("\(environment.name)/\(want.name): registered \(Self.short(arn))")
            try await hooks.afterRegister?(arn)
            return arn
        }
        throw ReconcileError(.incompleteAnswer, "cannot register a task definition for \(want.name)")
    }

    static func tags(user: [ECSAPI.Tag]?, want: DesiredService, environment: Environment, commit: ObjectID) -> [ECSAPI.Tag] {
        let berth: [ECSAPI.Tag] =
            [
                ECSAPI.Tag(key: Tags.commit, value: commit.hex),
                ECSAPI.Tag(key: Tags.environment, value: environment.name),
                ECSAPI.Tag(key: Tags.service, value: want.name),
                ECSAPI.Tag(key: Tags.path, value: String((want.rendered.sources.first ?? "").prefix(256))),
                ECSAPI.Tag(key: Tags.specHash, value: want.specHash),
            ] + (environment.review?.tags.map { ECSAPI.Tag(key: $0.key, value: $0.value) } ?? [])
        return (user ?? []).filter { !($0.key ?? "").hasPrefix("berth:") } + berth
    }

    package static func short(_ arn: String) -> String {
        String(arn.split(separator: "/").last ?? Substring(arn))
    }
}
