import AWS
import BerthTestSupport
import ECS
import ECSModel
import Foundation
import Git
import Manifests
import Plan
import Synchronization
import Testing
@testable import Controller
@testable import Apply
@testable import Review

/// A bare origin with staging, prod and a look-alike environment, a review template, and a
/// controller on it: on the local target or on moto.
final class ReviewScenario: @unchecked Sendable {
    static let author = Signature(name: "Dev", email: "dev@example.com")

    enum Kind: String, CaseIterable, Sendable { case local, moto }
    /// A region of moto's no other suite uses (one per suite): task definition families are per
    /// region, and these tests list all of them before and after.
    let motoRegion: String

    let kind: Kind
    let folder = ScratchFolder()
    let origin: Repository
    let environment: [String: String]
    /// Cluster names: review environments share `shop` with staging.
    let shop: String, prod: String, lookalike: String
    let desiredCount: Int

    init(_ kind: Kind, ttl: String = "72h", maxEnvironments: Int? = nil, motoRegion: String = "ap-southeast-2", pace: String = "0.05") async throws {
        self.kind = kind
        self.motoRegion = motoRegion
        let suffix = kind == .moto ? "-" + UUID().uuidString.prefix(6).lowercased() : ""
        shop = "shop\(suffix)"
        prod = "shop-prod\(suffix)"
        lookalike = "lookalike\(suffix)"
        // moto starts services with no running tasks, so only desiredCount 0 is ever steady there.
        desiredCount = kind == .moto ? 0 : 2
        var env = ["BERTH_LOCAL_PACE": pace, "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true", "BERTH_ECS_RATE_SCALE": "0"]
        if kind == .moto {
            env.merge(try await motoEnvironment()) { $1 }
            let ecs = AWSECSClient(client: try await MotoServer.shared.client(region: motoRegion))
            for cluster in [shop, prod, lookalike] { _ = try await ecs.createCluster(ECSAPI.CreateClusterRequest(clusterName: cluster)) }
        }
        environment = env
        origin = try Repository.create(at: folder.path + "/origin.git", bare: true)
        try origin.commit(
            changes: files(ttl: ttl, maxEnvironments: maxEnvironments), onto: "main", expectedTip: nil, message: "shop",
            author: Self.author)
    }

    func target(_ cluster: String) -> String {
        kind == .local ? "{local: {cluster: \(cluster)}}" : "{aws: {region: \(motoRegion), cluster: \(cluster)}}"
    }

    func files(ttl: String, maxEnvironments: Int?) -> [FileChange] {
        var changes: [FileChange] = [
            .write(
                "berth.yaml",
                """
                version: 1
                promotion: [staging, prod]
                review:
                  branches: ["review/*"]
                  from: staging
                  ttl: \(ttl)
                  services: [api, web]
                \(maxEnvironments.map { "  maxEnvironments: \($0)\n" } ?? "")
                """),
            .write("environments/staging/environment.yaml", "target: \(target(shop))\nrelease: {version: \"1.0\"}\n"),
            .write("environments/prod/environment.yaml", "target: \(target(prod))\nrelease: {version: \"1.0\"}\n"),
            // Names that look like a review environment's: its families start the same way.
            .write("environments/review-feature/environment.yaml", "target: \(target(lookalike))\nrelease: {version: \"1.0\"}\n"),
        ]
        for service in ["api", "web", "worker"] {
            changes.append(
                .write(
                    "services/\(service)/service.yaml",
                    """
                    taskDefinition:
                      containerDefinitions:
                        - {name: app, image: "registry.example.com/\(service):${release.version}", memory: 64}
                    service: {desiredCount: \(desiredCount)}

                    """))
            for env in ["staging", "prod", "review-feature"] {
                changes.append(
                    .write(
                        "environments/\(env)/\(service).yaml",
                        "service: {serviceName: \(env == "review-feature" ? "review-feature-x-" + service : service)}\n"))
            }
        }
        return changes
    }

    var mainTip: ObjectID { get throws { try origin.referenceTarget("refs/heads/main")! } }

    /// A branch from main with one change of its own: the api image.
    @discardableResult
    func pushBranch(_ branch: String, image: String = "registry.example.com/api:feature", date: Date = Date()) throws -> ObjectID {
        let signature = Signature(name: "Dev", email: "dev@example.com", date: date)
        let tip = try origin.referenceTarget("refs/heads/\(branch)")
        return try origin.commit(
            changes: [.write("environments/staging/api.yaml", "images: {app: \"\(image)\"}\nservice: {serviceName: api}\n")],
            onto: branch, expectedTip: tip, newBranchBase: tip == nil ? try mainTip : nil,
            message: "try \(image)", author: signature, committer: signature)
    }

    func commitOnMain(_ changes: [FileChange], _ message: String) throws {
        try origin.commit(changes: changes, onto: "main", expectedTip: try mainTip, message: message, author: Self.author)
    }

    /// A controller as a fresh process would have it: nothing remembered but its state folder.
    /// A controller whose clock is `clock`: the time review branches' idleness and time to
    /// live are judged at.
    func controller(clock: TestClock? = nil) -> Controller {
        Controller(
            options: ControllerOptions(repository: folder.path + "/origin.git", stateDirectory: folder.path + "/state", pollInterval: 0.05),
            environment: environment, now: { clock?.now ?? Date() })
    }

    func client() async throws -> any ECSClient {
        switch kind {
        case .local: return LocalECS(stateFile: folder.path + "/state/.berth/local-ecs.json", pace: 0.05)
        case .moto: return AWSECSClient(client: try await MotoServer.shared.client(region: motoRegion))
        }
    }

    /// Every service (by cluster/name: status, task definition, desired count, tags) and every
    /// task definition (ARN: status) in the scenario's clusters and families.
    /// A resource's tags, from ListTagsForResource: moto's DescribeServices decides whether to
    /// include tags in state shared by every request in flight, so under load another test's
    /// DescribeServices without tags can strip them from this one's answer.
    static func tags(of service: ECSAPI.Service, _ ecs: any ECSClient) async throws -> [ECSAPI.Tag]? {
        guard let arn = service.serviceArn else { return nil }
        return try await ecs.listTagsForResource(ECSAPI.ListTagsForResourceRequest(resourceArn: arn)).tags
    }

    func everything() async throws -> (services: [String: String], taskDefinitions: [String: String]) {
        let ecs = try await client()
        var services: [String: String] = [:]
        for cluster in [shop, prod, lookalike] {
            let arns = (try? await ecs.allServiceArns(cluster: cluster)) ?? []
            let names = arns.map { String($0.split(separator: "/").last!) }
            for service in try await ecs.describeServices(cluster: cluster, names: names).services ?? [] {
                let tags = Tags.map(try await Self.tags(of: service, ecs)).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                    separator: ",")
                services["\(cluster)/\(service.serviceName!)"] =
                    "\(service.status!) \(service.taskDefinition ?? "") \(service.desiredCount ?? -1) \(tags)"
            }
        }
        var definitions: [String: String] = [:]
        for status in ["ACTIVE", "INACTIVE"] {
            for arn in try await ecs.allTaskDefinitionArns(status: status) { definitions[arn] = status }
        }
        return (services, definitions)
    }
}

@Suite(.serialized) struct ReviewEnvironmentTests {
    @Test(arguments: ReviewScenario.Kind.allCases)
    func aBranchGetsAnEnvironmentAndTakesExactlyItAwayWhenDeleted(_ kind: ReviewScenario.Kind) async throws {
        let scenario = try await ReviewScenario(kind)
        let controller = scenario.controller()
        #expect(await controller.pass(full: true, wait: true))
        // Someone's own task definition in the review environment's future family, and a service
        // with a look-alike name: neither carries berth's review tags.
        let ecs = try await scenario.client()
        let foreign = try await ecs.registerTaskDefinition(
            ECSAPI.RegisterTaskDefinitionRequest(
                family: "review-feature-x-api", containerDefinitions: [ECSAPI.ContainerDefinition(name: "app", image: "someone/else:1", memory: 64)]))
        let before = try await scenario.everything()
        #expect(before.services["\(scenario.lookalike)/review-feature-x-api"] != nil)

        let tip = try scenario.pushBranch("review/feature-x")
        #expect(await controller.pass(wait: true))
        let created = try await scenario.everything()
        for service in ["api", "web"] {
            let line = try #require(created.services["\(scenario.shop)/review-feature-x-\(service)"], "review-feature-x-\(service) was not created")
            #expect(line.hasPrefix("ACTIVE "))
            #expect(line.contains("berth:review=review-feature-x") && line.contains("berth:review-branch=review/feature-x"))
        }
        // Only the template's services, and the branch's change is what runs.
        #expect(created.services["\(scenario.shop)/review-feature-x-worker"] == nil)
        let api = try #require(try await ecs.describeServices(cluster: scenario.shop, names: ["review-feature-x-api"]).services?.first)
        let definition = try await ecs.describeTaskDefinition(
            ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: api.taskDefinition, include: ["TAGS"]))
        #expect(definition.taskDefinition?.containerDefinitions?.first?.image == "registry.example.com/api:feature")
        #expect(definition.taskDefinition?.family == "review-feature-x-api")
        #expect(definition.tags?.contains { $0.key == "berth:commit" && $0.value == tip.hex } == true)
        // Nothing else changed.
        for (key, value) in before.services { #expect(created.services[key] == value, "\(key) changed") }
        for (arn, value) in before.taskDefinitions { #expect(created.taskDefinitions[arn] == value, "\(arn) changed") }
        // The controller shows it, and the note on the branch's commit says it converged.
        let review = try #require(await controller.status.current.reviews.first)
        #expect(review.name == "review-feature-x" && review.branch == "review/feature-x" && review.state == .ready)
        #expect(review.services.sorted() == ["review-feature-x-api", "review-feature-x-web"])
        #expect(review.expires != nil)
        #expect(controller.metrics.render().contains(#"berth_review_environments{state="ready"} 1"#))
        let page = StatusPage.html(await controller.status.current)
        #expect(page.contains("<h2>Review environments</h2>") && page.contains("review-feature-x-api review-feature-x-web"))
        let note = try #require(try Repository.open(at: controller.mirror.path).note(on: tip))
        #expect(note.contains("review-feature-x"))

        // The branch goes: exactly what was created goes with it.
        try scenario.origin.deleteReference("refs/heads/review/feature-x")
        #expect(await controller.pass(wait: true))
        // ECS drains deleted services for a while (the local target for its pace).
        for _ in 0..<40 where !(await controller.status.current.reviews.isEmpty) {
            try await Task.sleep(nanoseconds: 50_000_000)
            _ = await controller.pass(wait: true)
        }
        let after = try await scenario.everything()
        for (key, value) in before.services { #expect(after.services[key] == value, "\(key) changed") }
        for (arn, value) in before.taskDefinitions { #expect(after.taskDefinitions[arn] == value, "\(arn) changed") }
        #expect(after.taskDefinitions[foreign.taskDefinition!.taskDefinitionArn!] == "ACTIVE")
        for key in created.services.keys where before.services[key] == nil {
            #expect(
                after.services[key] == nil || after.services[key]!.hasPrefix("INACTIVE ") || after.services[key]!.hasPrefix("DRAINING "),
                "\(key) still \(after.services[key] ?? "")")
        }
        for (arn, _) in created.taskDefinitions where before.taskDefinitions[arn] == nil {
            #expect(after.taskDefinitions[arn] == "INACTIVE", "\(arn) still active")
        }
        let record = try #require(await controller.status.current.reviewTeardowns.first)
        #expect(record.name == "review-feature-x" && record.reason.contains("deleted"))
        #expect(record.report.deletedServices.sorted() == ["review-feature-x-api", "review-feature-x-web"])
        #expect(record.report.leftAlone.contains { $0.contains("review-feature-x-api:") && $0.contains("not tagged by berth") })
        #expect(await controller.status.current.reviews.isEmpty)
    }
}

extension ReviewEnvironmentTests {
    @Test func anIdleOrMergedBranchLosesItsEnvironment() async throws {
        let scenario = try await ReviewScenario(.local)
        let clock = TestClock(Date())
        let controller = scenario.controller(clock: clock)
        #expect(await controller.pass(full: true, wait: true))
        try scenario.pushBranch("review/idle")
        let merged = try scenario.pushBranch("review/merged", image: "registry.example.com/api:merged")
        #expect(await controller.pass(wait: true))
        let reviews = await controller.status.current.reviews
        #expect(reviews.map(\.name) == ["review-idle", "review-merged"])
        #expect(reviews.allSatisfy { $0.state == .ready && $0.expires! > Date().addingTimeInterval(71 * 3600) })

        // review/merged lands on main; the time to live drops to 1s and review/idle sits still.
        try scenario.origin.moveReference("refs/heads/main", to: merged, expected: try scenario.mainTip, logMessage: "merge")
        try scenario.commitOnMain(
            [.write("berth.yaml", "version: 1\npromotion: [staging, prod]\nreview: {branches: [\"review/*\"], from: staging, ttl: 1s}\n")],
            "review environments live 1s")
        clock.advance(2.1)
        #expect(await controller.pass(wait: true))
        let reasons = Dictionary(uniqueKeysWithValues: await controller.status.current.reviewTeardowns.map { ($0.name, $0.reason) })
        #expect(reasons["review-idle"]?.contains("idle for") == true, "\(reasons)")
        #expect(reasons["review-merged"]?.contains("merged into main") == true, "\(reasons)")
        // Deleted services drain for a while, as on ECS (the local target's pace): gone or on their way.
        let live = try await scenario.everything().services.filter { $0.key.contains("review-idle") || $0.key.contains("review-merged") }
        #expect(live.values.allSatisfy { $0.hasPrefix("DRAINING ") || $0.hasPrefix("INACTIVE ") }, "\(live.sorted { $0.key < $1.key })")
        // The branches still exist: an idle one stays away until it gets a new commit. (The new
        // commit comes with a longer time to live: on a loaded machine, 1s could pass before the
        // pass that reads it.)
        #expect(await controller.pass(full: true, wait: true))
        #expect(await controller.status.current.reviews.isEmpty)
        try scenario.commitOnMain(
            [.write("berth.yaml", "version: 1\npromotion: [staging, prod]\nreview: {branches: [\"review/*\"], from: staging, ttl: 1h}\n")],
            "review environments live 1h")
        try scenario.pushBranch("review/idle", image: "registry.example.com/api:again")
        #expect(await controller.pass(wait: true))
        #expect(await controller.status.current.reviews.map(\.name) == ["review-idle"])
    }

    @Test func overTheLimitANewEnvironmentWaitsAndSaysWhy() async throws {
        let scenario = try await ReviewScenario(.local, maxEnvironments: 1)
        let controller = scenario.controller()
        try scenario.pushBranch("review/first", date: Date().addingTimeInterval(-3600))
        try scenario.pushBranch("review/second")
        #expect(await controller.pass(full: true, wait: true))
        let reviews = await controller.status.current.reviews
        #expect(reviews.first { $0.name == "review-first" }?.state == .ready)
        let waiting = try #require(reviews.first { $0.name == "review-second" })
        #expect(waiting.state == .waiting)
        #expect(waiting.reason?.contains("1 of 1 review environments exist (review-first)") == true, "\(waiting.reason ?? "")")
        #expect(waiting.reason?.contains("the longest idle is review-first") == true)
        #expect(controller.metrics.render().contains(#"berth_review_environments{state="waiting"} 1"#))
        // Nothing was removed to make room.
        #expect(try await scenario.everything().services.keys.contains { $0.hasSuffix("/review-first-api") })

        try scenario.origin.deleteReference("refs/heads/review/first")
        for _ in 0..<3 { _ = await controller.pass(wait: true) }
        #expect(await controller.status.current.reviews.map(\.name) == ["review-second"])
        #expect(await controller.status.current.reviews.first?.state == .ready)
    }

    @Test func aBranchPushedAgainWaitsForItsOldLifeToDrainThenStartsANewOne() async throws {
        // Deployments and draining take 1s on the local target here, as they take minutes on ECS.
        let scenario = try await ReviewScenario(.local, pace: "1")
        let controller = scenario.controller()
        try scenario.pushBranch("review/feature-x")
        #expect(await controller.pass(full: true, wait: true))
        let first = try #require(await controller.status.current.reviews.first?.instance)

        try scenario.origin.deleteReference("refs/heads/review/feature-x")
        _ = await controller.pass(wait: true)
        try scenario.pushBranch("review/feature-x", image: "registry.example.com/api:second")
        _ = await controller.pass(wait: true)
        let waiting = await controller.status.current.reviews.filter { $0.name == "review-feature-x" }
        #expect(waiting.contains { $0.state == .tearingDown && $0.instance == first && $0.reason?.contains("draining") == true }, "\(waiting)")
        #expect(waiting.contains { $0.state == .waiting && $0.reason?.contains("the previous review-feature-x is being torn down") == true })

        // The old life drains (the local target's pace), then the new one is created: looked at
        // until it is, at most 4 s.
        for _ in 0..<80 {
            let review = await controller.status.current.reviews.first
            if review?.state == .ready && review?.instance != first { break }
            try await Task.sleep(nanoseconds: 50_000_000)
            _ = await controller.pass(wait: true)
        }
        let second = try #require(await controller.status.current.reviews.first)
        #expect(second.state == .ready && second.instance != first)
        let api = try #require(
            try await scenario.client().describeServices(cluster: scenario.shop, names: ["review-feature-x-api"], includeTags: true).services?.first)
        #expect(api.status == "ACTIVE" && Tags.map(api.tags)[ReviewIdentity.instanceTag] == second.instance)
    }

    @Test func aServiceWithTheNameButNotTheTagsIsLeftAlone() async throws {
        let scenario = try await ReviewScenario(.local)
        let controller = scenario.controller()
        #expect(await controller.pass(full: true, wait: true))
        // Someone made a service with the very name the review environment would use.
        let ecs = try await scenario.client()
        let definition = try await ecs.registerTaskDefinition(
            ECSAPI.RegisterTaskDefinitionRequest(
                family: "handmade", containerDefinitions: [ECSAPI.ContainerDefinition(name: "app", image: "someone/else:1", memory: 64)]))
        _ = try await ecs.createService(
            ECSAPI.CreateServiceRequest(
                cluster: scenario.shop, serviceName: "review-feature-x-api",
                taskDefinition: definition.taskDefinition?.taskDefinitionArn, desiredCount: 1))
        let before = try await scenario.everything()
        try scenario.pushBranch("review/feature-x")
        _ = await controller.pass(wait: true)
        let review = try #require(await controller.status.current.reviews.first)
        #expect(review.state == .failed)
        #expect(
            review.reason?.contains("review-feature-x-api in cluster \(scenario.shop) is not tagged as review environment review-feature-x") == true,
            "\(review.reason ?? "")")
        // Nothing of the review environment was applied, and the stranger's service is as it was.
        #expect(try await scenario.everything().services == before.services)

        try scenario.origin.deleteReference("refs/heads/review/feature-x")
        _ = await controller.pass(wait: true)
        #expect(try await scenario.everything().services == before.services)
    }
}

/// A teardown stopped after each of its writes in turn (the write reaches moto, its answer and
/// everything after it do not, as when the process dies), then a new controller process: the
/// teardown always finishes, removes exactly the review environment, and a branch pushed again
/// meanwhile gets a new environment rather than the half-removed one.
@Suite(.serialized) struct ReviewTeardownCrashTests {
    static let writes: Set<String> = ["TagResource", "UpdateService", "DeregisterTaskDefinition", "DeleteService"]

    @Test func aTeardownStoppedAfterAnyWriteIsResumed() async throws {
        let scenario = try await ReviewScenario(.moto, motoRegion: "ap-northeast-3")
        let moto = try await MotoServer.shared.url()
        let allowed = Mutex<Int?>(nil)
        let proxy = try await LoopbackServer { request, _ in
            let operation = request.header("X-Amz-Target")?.split(separator: ".").last.map(String.init) ?? ""
            guard Self.writes.contains(operation) else { return .forward(moto, dropAnswer: false) }
            return allowed.withLock { left -> LoopbackServer.Reply in
                guard let remaining = left else { return .forward(moto, dropAnswer: false) }
                left = remaining - 1
                if remaining > 0 { return .forward(moto, dropAnswer: false) }
                if remaining == 0 { return .forward(moto, dropAnswer: true) }
                return .respond(status: 400, headers: [], body: #"{"__type":"AccessDeniedException","message":"the process is gone"}"#)
            }
        }
        var crashing = scenario.environment
        crashing["AWS_ENDPOINT_URL"] = proxy.url
        #expect(await scenario.controller().pass(full: true, wait: true))
        let before = try await scenario.everything()

        // Two services, no scaling on moto (desiredCount 0): 2 marks, 2 deregistrations, 2 deletions.
        for crashAfter in 0..<6 {
            let rebuild = crashAfter % 2 == 0
            try scenario.pushBranch("review/feature-x", image: "registry.example.com/api:try\(crashAfter)")
            #expect(await scenario.controller().pass(wait: true))
            let created = try await scenario.everything()
            let firstLife = try #require(await Self.instance(scenario))
            try scenario.origin.deleteReference("refs/heads/review/feature-x")

            allowed.withLock { $0 = crashAfter }
            _ = await Controller(
                options: ControllerOptions(
                    repository: scenario.folder.path + "/origin.git",
                    stateDirectory: scenario.folder.path + "/state", pollInterval: 0.05),
                environment: crashing
            ).pass(wait: true)
            allowed.withLock { $0 = nil }
            // The crash left work behind (the last write's answer was lost, so even then the
            // stopped process could not know it had finished).
            let left = try await scenario.everything().services.filter {
                $0.key.hasPrefix("\(scenario.shop)/review-feature-x-") && $0.value.hasPrefix("ACTIVE")
            }
            #expect(crashAfter == 5 || !left.isEmpty, "after \(crashAfter): nothing left to resume")
            if rebuild { try scenario.pushBranch("review/feature-x", image: "registry.example.com/api:again\(crashAfter)") }

            let restarted = scenario.controller()
            for _ in 0..<3 { _ = await restarted.pass(wait: true) }
            let after = try await scenario.everything()
            for (key, value) in before.services { #expect(after.services[key] == value, "after \(crashAfter): \(key) changed") }
            for (arn, value) in before.taskDefinitions { #expect(after.taskDefinitions[arn] == value, "after \(crashAfter): \(arn) changed") }
            // The first life is gone entirely.
            for (arn, _) in created.taskDefinitions where before.taskDefinitions[arn] == nil {
                #expect(after.taskDefinitions[arn] == "INACTIVE", "after \(crashAfter): \(arn) of the first life still active")
            }
            if rebuild {
                let secondLife = try #require(await Self.instance(scenario), "after \(crashAfter): not rebuilt")
                #expect(secondLife != firstLife, "after \(crashAfter): the half-removed environment was taken for the new one")
                #expect(await restarted.status.current.reviews.first?.state == .ready)
                try scenario.origin.deleteReference("refs/heads/review/feature-x")
                _ = await restarted.pass(wait: true)
            } else {
                #expect(await Self.instance(scenario) == nil, "after \(crashAfter): teardown not finished")
            }
        }
        await proxy.shutdown()
    }

    /// The instance tag on the live review-feature-x-api, if it is live.
    static func instance(_ scenario: ReviewScenario) async -> String? {
        guard let ecs = try? await scenario.client(),
            let service = try? await ecs.describeServices(cluster: scenario.shop, names: ["review-feature-x-api"])
                .services?.first(where: { $0.status == "ACTIVE" })
        else { return nil }
        return Tags.map(try? await ReviewScenario.tags(of: service, ecs))[ReviewIdentity.instanceTag]
    }
}

@Suite struct ReviewCreationFailureTests {
    /// The review cluster does not exist yet: every creation fails after registering. Retries
    /// reuse what was registered, a restarted controller clears the earlier life's revisions
    /// before registering its own, and once the cluster exists the environment comes up with
    /// exactly one set of active revisions.
    @Test func aFailingCreationDoesNotPileUpTaskDefinitions() async throws {
        let scenario = try await ReviewScenario(.moto, motoRegion: "eu-south-1")
        let reviewCluster = "reviews-" + UUID().uuidString.prefix(6).lowercased()
        try scenario.commitOnMain(
            [
                .write(
                    "berth.yaml",
                    "version: 1\npromotion: [staging, prod]\nreview: {branches: [\"review/*\"], from: staging, cluster: \(reviewCluster)}\n")
            ],
            "review environments in their own cluster")
        try scenario.pushBranch("review/feature-x")
        let ecs = try await scenario.client()
        func activeReviewRevisions() async throws -> [String] {
            var result: [String] = []
            for family in ["review-feature-x-api", "review-feature-x-web"] {
                result += try await ecs.allTaskDefinitionArns(familyPrefix: family, status: "ACTIVE")
            }
            return result.sorted()
        }

        let controller = scenario.controller()
        _ = await controller.pass(full: true, wait: true)
        let failed = try #require(await controller.status.current.reviews.first)
        #expect(failed.state == .failed && failed.reason?.contains("ClusterNotFoundException") == true, "\(failed)")
        let firstLife = try await activeReviewRevisions()
        #expect(firstLife.count == 2)
        _ = await controller.pass(full: true, wait: true)
        #expect(try await activeReviewRevisions() == firstLife)

        let restarted = scenario.controller()
        _ = await restarted.pass(full: true, wait: true)
        let secondLife = try await activeReviewRevisions()
        #expect(secondLife.count == 2 && Set(secondLife).isDisjoint(with: firstLife))

        _ = try await ecs.createCluster(ECSAPI.CreateClusterRequest(clusterName: reviewCluster))
        #expect(await restarted.pass(full: true, wait: true))
        #expect(await restarted.status.current.reviews.first?.state == .ready)
        #expect(try await activeReviewRevisions() == secondLife)
    }
}
