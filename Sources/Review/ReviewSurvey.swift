import ECS
import Foundation
import Git
import Manifests
import Plan

/// Where review environments run and what should happen to them, as seen from one head:
/// what the controller acts on and `berth status` shows.
package struct ReviewSurvey: Sendable {
    package let base: Environment
    package let target: Target
    package let decision: ReviewDecision

    /// The base environment at the head, and the review target derived from it.
    package static func base(_ template: ReviewTemplate, in loaded: LoadedManifests) throws -> (Environment, Target) {
        guard let base = loaded.environment(template.from), !loaded.blockedEnvironments.contains(template.from) else {
            throw ReconcileError(
                .notReady, "review.from '\(template.from)' cannot be loaded at \(loaded.commit?.short ?? "the head"); review environments wait")
        }
        return (base, base.target.withCluster(template.cluster))
    }

    /// `lives` are the instance ids already given to environments still being created (by name).
    package static func take(
        _ template: ReviewTemplate, loaded: LoadedManifests, branches: [ReviewBranch], tracked: String,
        connector: TargetConnector, lives: [String: String] = [:], now: Date = Date()
    ) async throws -> ReviewSurvey {
        let (base, target) = try base(template, in: loaded)
        let instances = try await ReviewInventory.observe(client: await connector.client(for: target), cluster: target.cluster)
        return ReviewSurvey(
            base: base, target: target,
            decision: ReviewDecision(
                template: template, branches: branches, instances: instances, tracked: tracked, now: now,
                newInstance: { lives[$0] ?? ReviewIdentity.newInstance() }))
    }

    /// The ECS service names a review environment of this template can have: where a teardown
    /// also looks (touching only what carries the environment's tags).
    package func serviceNames(of name: String, template: ReviewTemplate) -> [String] {
        (template.services ?? base.services).map { "\(name)-\($0)" }
    }
}
