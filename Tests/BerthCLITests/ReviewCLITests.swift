import BerthTestSupport
import Foundation
import Git
import Testing

/// The bundled example's review template, as a user meets it: a branch, `berth status`,
/// `berth controller --once`, the branch deleted, and the controller again.
@Suite struct ReviewCLITests {
    @Test func aReviewBranchComesAndGoesThroughTheCommandLine() throws {
        let scratch = try ScratchRepo()
        let main = try #require(try scratch.repo.referenceTarget("refs/heads/main"))
        try scratch.repo.commit(
            changes: [.write("manifests/environments/staging/api.yaml", "service: {desiredCount: 1}\n")],
            onto: "review/feature-x", expectedTip: nil, newBranchBase: main, message: "api: one task", author: scratch.author)

        let before = try berth(["status", "--path", "manifests", "--reviews"], in: scratch.path)
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("review-feature-x  review/feature-x  to-create"), "\(before.stdout)")

        let created = try berth(["controller", "--path", "manifests", "--once"], in: scratch.path)
        #expect(created.status == 0, "\(created.stdout)\(created.stderr)")
        #expect(
            created.stdout.contains("review-feature-x (review of review/feature-x): ready review-feature-x-api review-feature-x-web"),
            "\(created.stdout)")
        let status = try berth(["status", "--path", "manifests", "--reviews", "--output", "json"], in: scratch.path)
        let reviews = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
        #expect(reviews.first?["state"] as? String == "ready")
        #expect(reviews.first?["services"] as? [String] == ["review-feature-x-api", "review-feature-x-web"])
        // The full status lists the review environments after the others.
        let full = try berth(["status", "--path", "manifests"], in: scratch.path)
        #expect(full.stdout.contains("review environments from staging on local:staging (ttl 3d, at most 5)"), "\(full.stdout)")

        try scratch.repo.deleteReference("refs/heads/review/feature-x")
        let removed = try berth(["controller", "--path", "manifests", "--once"], in: scratch.path)
        #expect(removed.status == 0, "\(removed.stdout)\(removed.stderr)")
        #expect(
            removed.stdout.contains(
                "review-feature-x (review of review/feature-x): torn down (branch review/feature-x was deleted): "
                    + "2 service(s) deleted, 2 task definition(s) deregistered"), "\(removed.stdout)")
        let show = try berth(["local", "show"], in: scratch.path)
        #expect(show.stdout.contains("service staging/review-feature-x-api: deleted"))
        #expect(show.stdout.contains("service staging/api: staging-api:1 desired 1"), "\(show.stdout)")
        #expect(try berth(["status", "--path", "manifests", "--reviews"], in: scratch.path).stdout.contains(": none (branches: review/*)"))
    }
}
