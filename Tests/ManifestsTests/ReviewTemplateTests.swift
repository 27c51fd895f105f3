import Foundation
import Testing
@testable import Manifests

@Suite struct ReviewTemplateTests {
    let template = ReviewTemplate(branches: ["review/*", "pr-*"], from: "staging")

    @Test func branchNamesBecomeShortDistinctEnvironmentNames() {
        #expect(template.matches("review/feature-x") && template.matches("pr-42") && !template.matches("main"))
        #expect(template.name(for: "review/feature-x") == "review-feature-x")
        #expect(template.name(for: "review/JIRA-123_Fix login!") == "review-jira-123-fix-login")
        #expect(template.name(for: "pr-42") == "review-42")
        let long = template.name(for: "review/a-very-long-branch-name-that-goes-on-and-on-one")
        let other = template.name(for: "review/a-very-long-branch-name-that-goes-on-and-on-two")
        #expect(long.count <= ReviewTemplate.maxNameLength && other.count <= ReviewTemplate.maxNameLength)
        #expect(long != other)
        #expect(long.hasPrefix("review-a-very-long-branch"))
        // Stable from run to run (the name is how a restarted controller finds its environments).
        #expect(long == template.name(for: "review/a-very-long-branch-name-that-goes-on-and-on-one"))
        #expect(ReviewTemplate(branches: ["*"], from: "staging", namePattern: "pr-${branch}").name(for: "fix/typo") == "pr-fix-typo")
    }

    @Test func aReviewEnvironmentIsItsBaseUnderItsOwnNamesAndTags() throws {
        var files = baseFiles()
        files["services/web/service.yaml"] =
            "taskDefinition:\n  family: shop-web\n  containerDefinitions: [{name: app, image: \"r/web:${env}\", memory: 64}]\n"
        files["environments/staging/web.yaml"] = "service: {serviceName: web-staging, tags: [{key: team, value: shop}]}\n"
        files["environments/staging/freeze.yaml"] = "reason: staging is frozen\n"
        let identity = ReviewIdentity(
            name: "review-x", branch: "review/x", instance: "abc123", base: "staging", created: Date(timeIntervalSince1970: 0))
        let contents = files.mapValues { ManifestFiles.Content.data(Array($0.utf8)) }
        // The tracked branch's staging: its target (with the template's cluster) and policy win over the branch's.
        var tracked = try #require(ManifestLoader().load(ManifestFiles(files: contents)).environment("staging"))
        tracked.notifications = [NotificationTarget(url: "https://hooks.example.com/review", events: [], secretEnv: nil)]
        let request = ReviewRequest(
            template: ReviewTemplate(branches: ["review/*"], from: "staging", cluster: "reviews", services: ["web"]),
            identity: identity, tracked: tracked)
        let loaded = ManifestLoader().load(ManifestFiles(files: contents), review: request)
        #expect(!loaded.blockedEnvironments.contains("review-x"))
        let environment = try #require(loaded.environment("review-x"))
        #expect(environment.services == ["web"] && environment.freeze == nil && environment.target.cluster == "reviews")
        #expect(environment.notifications.map(\.url) == ["https://hooks.example.com/review"])
        let web = try #require(loaded.rendered(environment: "review-x").first)
        #expect(web.family == "review-x-web" && web.serviceName == "review-x-web" && web.cluster == "reviews")
        #expect(web.images["app"] == "r/web:review-x")
        let tags = (web.serviceSettings["tags"]?.items ?? []).map { "\($0["key"]!.string!)=\($0["value"]!.string!)" }
        #expect(tags.contains("team=shop") && tags.contains("berth:review=review-x") && tags.contains("berth:review-instance=abc123"))
        // The base environment is unchanged.
        #expect(loaded.rendered(environment: "staging").first { $0.service == "web" }?.family == "shop-web")

        // A branch that breaks its base gets no review environment.
        files["environments/staging/web.yaml"] = "service: {desiredCount: many}\n"
        let broken = ManifestLoader().load(ManifestFiles(files: files.mapValues { .data(Array($0.utf8)) }), review: request)
        #expect(broken.blockedEnvironments.contains("review-x"))
        // Nor one named like an environment of the repository.
        let clash = ReviewRequest(
            template: request.template,
            identity: ReviewIdentity(
                name: "prod", branch: "review/prod", instance: "x",
                base: "staging", created: Date()), tracked: tracked)
        let clashing = ManifestLoader().load(ManifestFiles(files: contents), review: clash)
        #expect(clashing.diagnostics.errors.contains { $0.message.contains("has the name of an environment in environments/") })
    }
}
