import AWS
import BerthTestSupport
@testable import ECS
import ECSModel
import Foundation
import Synchronization
import Testing

@Suite struct LocalECSTests {
    @Test func conformanceInMemory() async throws {
        try await ECSConformance.taskDefinitions(LocalECS(stateFile: nil))
        try await ECSConformance.services(LocalECS(stateFile: nil))
    }

    @Test func conformanceWithAStateFile() async throws {
        let folder = ScratchFolder()
        try await ECSConformance.taskDefinitions(LocalECS(stateFile: folder.path + "/state.json"))
        try await ECSConformance.services(LocalECS(stateFile: folder.path + "/state.json"))
    }

    /// Pages of revisions, both orders, across families and with some deregistered, are the
    /// full list's pages: read in the order asked for, a page stops where it is full.
    @Test func taskDefinitionPagesAreTheFullListsPages() async throws {
        let ecs = LocalECS(stateFile: nil)
        for index in 1...23 {
            let family = index % 3 == 0 ? "api" : "web"
            let registered = try await ecs.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: family, containerDefinitions: [ECSAPI.ContainerDefinition(name: "app", image: "app:\(index)", memory: 64)]))
            if index % 5 == 0 {
                _ = try await ecs.deregisterTaskDefinition(
                    ECSAPI.DeregisterTaskDefinitionRequest(taskDefinition: registered.taskDefinition?.taskDefinitionArn))
            }
        }
        for family in [nil, "web"] as [String?] {
            for status in ["ACTIVE", "INACTIVE"] {
                let ascending = try await ecs.allTaskDefinitionArns(familyPrefix: family, status: status)
                #expect(try await ecs.allTaskDefinitionArns(familyPrefix: family, status: status, sort: "DESC") == ascending.reversed())
                var pages: [String] = []
                var token: String?
                repeat {
                    let page = try await ecs.listTaskDefinitions(
                        ECSAPI.ListTaskDefinitionsRequest(familyPrefix: family, status: status, sort: "DESC", nextToken: token, maxResults: 4))
                    #expect((page.taskDefinitionArns ?? []).count <= 4)
                    pages += page.taskDefinitionArns ?? []
                    token = page.nextToken
                } while token != nil
                #expect(pages == ascending.reversed(), "\(family ?? "all") \(status)")
            }
        }
        #expect(try await ecs.allTaskDefinitionArns(familyPrefix: "web", status: "INACTIVE").count == 3)
    }

    @Test func registrationFillsWhatECSFillsIn() async throws {
        let ecs = LocalECS(stateFile: nil)
        let registered = try #require(
            try await ecs.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: "web", networkMode: "awsvpc",
                    containerDefinitions: [
                        ECSAPI.ContainerDefinition(
                            name: "app", image: "app:1", portMappings: [ECSAPI.PortMapping(containerPort: 8080)],
                            environment: [
                                ECSAPI.KeyValuePair(name: "B", value: "2"), ECSAPI.KeyValuePair(name: "A", value: "1"),
                                ECSAPI.KeyValuePair(name: "C"),
                            ],
                            healthCheck: ECSAPI.HealthCheck(command: ["CMD", "true"]))
                    ],
                    requiresCompatibilities: ["FARGATE"], cpu: "0.25 vCPU", memory: "0.5GB")
            ).taskDefinition)
        let container = try #require(registered.containerDefinitions?.first)
        #expect(container.essential == true)
        #expect(container.cpu == 0)
        #expect(container.portMappings == [ECSAPI.PortMapping(containerPort: 8080, hostPort: 8080, protocol: "tcp")])
        #expect(container.environment?.map(\.name) == ["A", "B"])
        #expect(container.healthCheck == ECSAPI.HealthCheck(command: ["CMD", "true"], interval: 30, timeout: 5, retries: 3))
        #expect(container.mountPoints == [] && container.volumesFrom == [])
        #expect(registered.cpu == "256" && registered.memory == "512")
        #expect(registered.compatibilities == ["EC2", "FARGATE"])
        #expect(registered.registeredAt != nil && registered.registeredBy?.hasPrefix("arn:aws:iam::") == true)

        let bridge = try #require(
            try await ecs.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: "worker",
                    containerDefinitions: [
                        ECSAPI.ContainerDefinition(
                            name: "w", image: "w:1", memory: 64,
                            portMappings: [ECSAPI.PortMapping(containerPort: 80)])
                    ])
            ).taskDefinition)
        #expect(bridge.networkMode == "bridge")
        #expect(bridge.containerDefinitions?.first?.portMappings?.first?.hostPort == 0)
    }

    @Test func invalidRegistrationsAreRefusedAsECSRefusesThem() async throws {
        let ecs = LocalECS(stateFile: nil)
        func refusal(_ request: ECSAPI.RegisterTaskDefinitionRequest) async -> AWSError? {
            await #expect(throws: AWSError.self) { _ = try await ecs.registerTaskDefinition(request) }
        }
        let noImage = await refusal(
            ECSAPI.RegisterTaskDefinitionRequest(family: "x", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", memory: 1)]))
        #expect(noImage?.code == "ClientException" && noImage?.message == "Container.image should not be null or empty.")
        let fargate = await refusal(
            ECSAPI.RegisterTaskDefinitionRequest(
                family: "x", networkMode: "awsvpc",
                containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "a")], requiresCompatibilities: ["FARGATE"], cpu: "256",
                memory: "4096"))
        #expect(fargate?.message == "No Fargate configuration exists for given values.")
        let emptyTags = await refusal(
            ECSAPI.RegisterTaskDefinitionRequest(
                family: "x", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "a", memory: 1)], tags: []))
        #expect(emptyTags?.message == "Tags can not be empty.")
        #expect(try await ecs.allTaskDefinitionArns().isEmpty)
    }

    static func service(_ ecs: LocalECS, breaker: Bool) async throws -> (String, String) {
        _ = try await ecs.createCluster(ECSAPI.CreateClusterRequest(clusterName: "prod"))
        func register(_ image: String) async throws -> String {
            try await ecs.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: "prod-api", containerDefinitions: [ECSAPI.ContainerDefinition(name: "app", image: image, memory: 128)])
            ).taskDefinition!.taskDefinitionArn!
        }
        let good = try await register("api:1.0")
        _ = try await ecs.createService(
            ECSAPI.CreateServiceRequest(
                cluster: "prod", serviceName: "api", taskDefinition: good, desiredCount: 3,
                deploymentConfiguration: ECSAPI.DeploymentConfiguration(
                    deploymentCircuitBreaker: ECSAPI.DeploymentCircuitBreaker(enable: breaker, rollback: breaker))))
        return (good, try await register("api:2.0-broken"))
    }

    static func primary(_ ecs: LocalECS) async throws -> (ECSAPI.Service, ECSAPI.Deployment) {
        let service = try #require(try await ecs.describeServices(cluster: "prod", names: ["api"]).services?.first)
        return (service, try #require(service.deployments?.first { $0.status == "PRIMARY" }))
    }

    @Test func rolloutsCompleteAtTheirPace() async throws {
        let clock = TestClock()
        let ecs = LocalECS(stateFile: nil, pace: 10, now: { clock.now })
        _ = try await Self.service(ecs, breaker: true)
        var (service, primary) = try await Self.primary(ecs)
        #expect(primary.rolloutState == "IN_PROGRESS" && service.runningCount == 0)
        clock.advance(10)
        (service, primary) = try await Self.primary(ecs)
        #expect(primary.rolloutState == "COMPLETED")
        #expect(service.runningCount == 3 && service.deployments?.count == 1)
        let deployments = try await ecs.listServiceDeployments(ECSAPI.ListServiceDeploymentsRequest(service: "api", cluster: "prod"))
        #expect(deployments.serviceDeployments?.map(\.status) == ["SUCCESSFUL"])

        // A desiredCount change alone starts no deployment.
        _ = try await ecs.updateService(ECSAPI.UpdateServiceRequest(cluster: "prod", service: "api", desiredCount: 5))
        (service, primary) = try await Self.primary(ecs)
        #expect(service.deployments?.count == 1 && primary.desiredCount == 5)
    }

    /// Like ECS, a service shows its newest 100 events: one deployed for months does not carry
    /// (and journal at each change) every event it ever had.
    @Test func aServiceKeepsItsNewestHundredEvents() async throws {
        let clock = TestClock()
        let ecs = LocalECS(stateFile: nil, pace: 10, now: { clock.now })
        let (good, _) = try await Self.service(ecs, breaker: false)
        for _ in 0..<110 {
            clock.advance(10)
            _ = try await Self.primary(ecs)
            _ = try await ecs.updateService(
                ECSAPI.UpdateServiceRequest(cluster: "prod", service: "api", taskDefinition: good, forceNewDeployment: true))
        }
        clock.advance(10)
        let (service, _) = try await Self.primary(ecs)
        #expect(service.events?.count == 100)
        #expect(service.events?.first?.message?.contains("steady state") == true)
    }

    @Test func circuitBreakerRollsBackToTheLastCompletedDeployment() async throws {
        let clock = TestClock()
        let ecs = LocalECS(stateFile: nil, pace: 10, now: { clock.now })
        let (good, broken) = try await Self.service(ecs, breaker: true)
        try await ecs.setImage("api:2.0-broken", failing: true)
        clock.advance(10)
        let updated = try await ecs.updateService(ECSAPI.UpdateServiceRequest(cluster: "prod", service: "api", taskDefinition: broken))
        let failingDeployment = try #require(updated.service?.deployments?.first { $0.status == "PRIMARY" })
        #expect(failingDeployment.taskDefinition == broken)
        #expect(updated.service?.deployments?.count == 2)

        clock.advance(5)
        var (service, primary) = try await Self.primary(ecs)
        #expect(primary.id == failingDeployment.id && primary.rolloutState == "IN_PROGRESS" && (primary.failedTasks ?? 0) > 0)

        clock.advance(15)
        (service, primary) = try await Self.primary(ecs)
        #expect(primary.id != failingDeployment.id)
        #expect(primary.taskDefinition == good)
        #expect(service.taskDefinition == good)
        let failed = try #require(service.deployments?.first { $0.id == failingDeployment.id })
        #expect(failed.rolloutState == "FAILED")
        #expect(failed.rolloutStateReason?.contains("circuit breaker") == true)

        clock.advance(10)
        (service, primary) = try await Self.primary(ecs)
        #expect(primary.rolloutState == "COMPLETED" && primary.taskDefinition == good && service.deployments?.count == 1)

        let briefs = try #require(
            try await ecs.listServiceDeployments(ECSAPI.ListServiceDeploymentsRequest(service: "api", cluster: "prod")).serviceDeployments)
        let failedArn = try #require(briefs.first { $0.targetServiceRevisionArn == broken }?.serviceDeploymentArn)
        let described = try await ecs.describeServiceDeployments(ECSAPI.DescribeServiceDeploymentsRequest(serviceDeploymentArns: [failedArn]))
        #expect(described.serviceDeployments?.first?.status == "ROLLBACK_SUCCESSFUL")
    }

    @Test func withoutTheBreakerAFailingRolloutNeverCompletes() async throws {
        let clock = TestClock()
        let ecs = LocalECS(stateFile: nil, pace: 10, now: { clock.now })
        let (_, broken) = try await Self.service(ecs, breaker: false)
        try await ecs.setImage("api:2.0-broken", failing: true)
        _ = try await ecs.updateService(ECSAPI.UpdateServiceRequest(cluster: "prod", service: "api", taskDefinition: broken))
        clock.advance(600)
        let (_, primary) = try await Self.primary(ecs)
        #expect(primary.taskDefinition == broken && primary.rolloutState == "IN_PROGRESS" && (primary.failedTasks ?? 0) > 10)
    }

    @Test func stateSurvivesRestartsAndIsWrittenAtomically() async throws {
        let folder = ScratchFolder()
        let path = folder.path + "/.berth/local-ecs.json"
        let first = LocalECS(stateFile: path)
        _ = try await first.registerTaskDefinition(
            ECSAPI.RegisterTaskDefinitionRequest(
                family: "keep", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "a:1", memory: 8)]))
        // A write that died half way leaves only a temporary file behind.
        try "{ half".write(toFile: path + ".tmp-99999", atomically: false, encoding: .utf8)
        let second = LocalECS(stateFile: path)
        let described = try await second.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "keep"))
        #expect(described.taskDefinition?.revision == 1)
        #expect(
            try await second.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: "keep", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "a:2", memory: 8)])
            ).taskDefinition?.revision == 2)

        try "not json".write(toFile: path, atomically: true, encoding: .utf8)
        let broken = LocalECS(stateFile: path)
        await #expect(throws: (any Error).self) { _ = try await broken.listTaskDefinitions(ECSAPI.ListTaskDefinitionsRequest()) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "not json")
    }

    /// A full disk says so (a short write sets no errno: it once read "cannot append: Success").
    @Test func aFullDiskIsNamedAndChangesNothing() async throws {
        let folder = ScratchFolder()
        let path = folder.path + "/state.json"
        let first = LocalECS(stateFile: path)
        _ = try await first.registerTaskDefinition(
            ECSAPI.RegisterTaskDefinitionRequest(
                family: "full", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "a:1", memory: 8)]))
        try FileManager.default.removeItem(atPath: path + ".journal")
        try FileManager.default.createSymbolicLink(atPath: path + ".journal", withDestinationPath: "/dev/full")
        let error = await #expect(throws: (any Error).self) {
            _ = try await LocalECS(stateFile: path).registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: "full", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "a:2", memory: 8)]))
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("no space left on the device"), "\(String(describing: error))")
        #expect(!"\(error.map { "\($0)" } ?? "")".contains("Success"))
    }

    @Test func journalDropsATornLineAndFoldsIntoTheSnapshot() async throws {
        let folder = ScratchFolder()
        let path = folder.path + "/state.json"
        func register(_ ecs: LocalECS, _ image: String) async throws -> Int? {
            try await ecs.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: "j", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: image, memory: 8)])
            ).taskDefinition?.revision
        }
        let first = LocalECS(stateFile: path)
        #expect(try await register(first, "a:1") == 1)
        // A process killed in the middle of appending leaves half a line.
        let journal = try #require(FileHandle(forWritingAtPath: path + ".journal"))
        try journal.seekToEnd()
        try journal.write(contentsOf: Data("{\"families\":{\"j\":[".utf8))
        try journal.close()
        let second = LocalECS(stateFile: path)
        #expect(try await register(second, "a:2") == 2)
        #expect(try await register(first, "a:3") == 3)  // the first process catches up on the second's line

        // Past its limit the journal becomes the snapshot; a new process reads the same state.
        var file = LocalStateFile(path: path)
        file.journalLimit = 1
        var state = LocalState()
        var cursor = LocalStateFile.Cursor()
        try file.transact(&state, &cursor) { $0.failingImages = ["x:1"] }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".journal")).isEmpty)
        #expect(try LocalStateFile(path: path).load(path).revisionCounts["j"] == 3)
        let described = try await LocalECS(stateFile: path).describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "j"))
        #expect(described.taskDefinition?.containerDefinitions?.first?.image == "a:3")
    }

    /// A registration journals the revision it adds, not the family's history: the line for
    /// revision 60 is the size of the line for revision 2.
    @Test func aRegistrationJournalsOneRevision() async throws {
        let folder = ScratchFolder()
        let path = folder.path + "/state.json"
        let ecs = LocalECS(stateFile: path)
        var sizes: [Int] = []
        for revision in 1...60 {
            let before = (try? FileManager.default.attributesOfItem(atPath: path + ".journal")[.size] as? Int) ?? 0
            _ = try await ecs.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: "f", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "a:\(revision)", memory: 8)]))
            let after = (try FileManager.default.attributesOfItem(atPath: path + ".journal")[.size] as? Int) ?? 0
            if after > before { sizes.append(after - before) }
        }
        #expect(sizes.count > 10)
        #expect(sizes.max()! < sizes.min()! + 64, "\(sizes)")
        let listed = try await ecs.listTaskDefinitions(ECSAPI.ListTaskDefinitionsRequest(familyPrefix: "f"))
        #expect(listed.taskDefinitionArns?.count == 60)
    }

    /// State written before revisions were kept one by one (each family's list whole, in the
    /// snapshot and in journal lines) reads the same.
    @Test func stateWithWholeFamiliesStillLoads() async throws {
        let folder = ScratchFolder()
        let path = folder.path + "/state.json"
        func definition(_ revision: Int) -> String {
            #"{"family":"old","revision":\#(revision),"status":"ACTIVE","taskDefinitionArn":"arn:aws:ecs:us-east-1:000000000000:task-definition/old:\#(revision)","containerDefinitions":[{"name":"a","image":"a:\#(revision)"}]}"#
        }
        try Data(
            #"{"version":1,"clusters":{},"families":{"old":[\#(definition(1))]},"tags":{},"services":{},"tasks":{},"failingImages":[],"nextID":1}"#
                .utf8
        )
        .write(to: URL(fileURLWithPath: path))
        try Data((#"{"families":{"old":[\#(definition(1)),\#(definition(2))]},"failingImages":[],"nextID":1,"scalarsChanged":false}"# + "\n").utf8)
            .write(to: URL(fileURLWithPath: path + ".journal"))
        let ecs = LocalECS(stateFile: path)
        let latest = try await ecs.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "old"))
        #expect(latest.taskDefinition?.revision == 2)
        let next = try await ecs.registerTaskDefinition(
            ECSAPI.RegisterTaskDefinitionRequest(
                family: "old", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "a:3", memory: 8)]))
        #expect(next.taskDefinition?.revision == 3)
        let first = try await ecs.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "old:1"))
        #expect(first.taskDefinition?.containerDefinitions?.first?.image == "a:1")
    }

    @Test func concurrentWritersNeverLoseARevision() async throws {
        let folder = ScratchFolder()
        let path = folder.path + "/state.json"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    let ecs = LocalECS(stateFile: path)
                    for i in 0..<10 {
                        _ = try await ecs.registerTaskDefinition(
                            ECSAPI.RegisterTaskDefinitionRequest(
                                family: "shared", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "a:\(writer)-\(i)", memory: 8)])
                        )
                    }
                }
            }
            try await group.waitForAll()
        }
        let reader = LocalECS(stateFile: path)
        let arns = try await reader.allTaskDefinitionArns(familyPrefix: "shared")
        #expect(arns.count == 40)
        #expect(Set(arns).count == 40)
        // Each revision's body, appended by whichever process registered it, is its own.
        var images: Set<String> = []
        for arn in arns {
            let described = try await reader.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: arn))
            #expect(described.taskDefinition?.taskDefinitionArn == arn)
            images.formUnion(described.taskDefinition?.containerDefinitions?.compactMap(\.image) ?? [])
        }
        #expect(images == Set((0..<4).flatMap { writer in (0..<10).map { "a:\(writer)-\($0)" } }))
    }

    /// Bodies go once to the revisions file: the snapshot and the journal hold a status and a
    /// place, a deregistration changes only the status, and another process reads the bodies.
    @Test func revisionBodiesLiveInTheRevisionsFile() async throws {
        let folder = ScratchFolder()
        let path = folder.path + "/state.json"
        let ecs = LocalECS(stateFile: path)
        for revision in 1...5 {
            _ = try await ecs.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: "body", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "image-\(revision)", memory: 8)],
                    tags: [ECSAPI.Tag(key: "commit", value: "commit-\(revision)")]))
        }
        let journal = try String(contentsOfFile: path + ".journal", encoding: .utf8)
        #expect(!journal.contains("image-") && !journal.contains("commit-"))
        let stored = try Data(contentsOf: URL(fileURLWithPath: path + ".revisions"))
        #expect(String(decoding: stored, as: UTF8.self).split(separator: "\n").count == 5)
        _ = try await ecs.deregisterTaskDefinition(ECSAPI.DeregisterTaskDefinitionRequest(taskDefinition: "body:2"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".revisions")) == stored)

        // Folded into the snapshot, the bodies stay out of it too.
        var file = LocalStateFile(path: path)
        file.journalLimit = 1
        var state = LocalState()
        var cursor = LocalStateFile.Cursor()
        try file.transact(&state, &cursor) { $0.nextID += 1 }
        #expect(!(try String(contentsOfFile: path, encoding: .utf8)).contains("image-"))

        let other = LocalECS(stateFile: path)
        let second = try await other.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "body:2"))
        #expect(second.taskDefinition?.status == "INACTIVE")
        #expect(second.taskDefinition?.deregisteredAt != nil)
        #expect(second.taskDefinition?.containerDefinitions?.first?.image == "image-2")
        let latest = try await other.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "body"))
        #expect(latest.taskDefinition?.revision == 5)
        #expect(latest.taskDefinition?.containerDefinitions?.first?.image == "image-5")
        let active = try await other.listTaskDefinitions(ECSAPI.ListTaskDefinitionsRequest(familyPrefix: "body"))
        #expect(active.taskDefinitionArns?.count == 4)
        // Tags registered with a revision are kept with its body; tags set later over them.
        let arn = try #require(latest.taskDefinition?.taskDefinitionArn)
        let tagged = try await other.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "body:3", include: ["TAGS"]))
        #expect(tagged.tags?.map(\.value) == ["commit-3"])
        _ = try await other.tagResource(ECSAPI.TagResourceRequest(resourceArn: arn, tags: [ECSAPI.Tag(key: "team", value: "x")]))
        #expect(try await ecs.listTagsForResource(ECSAPI.ListTagsForResourceRequest(resourceArn: arn)).tags?.map(\.key) == ["commit", "team"])
        _ = try await ecs.untagResource(ECSAPI.UntagResourceRequest(resourceArn: arn, tagKeys: ["commit", "team"]))
        #expect(try await other.listTagsForResource(ECSAPI.ListTagsForResourceRequest(resourceArn: arn)).tags == [])

        // A lost revisions file is named, never read as a missing revision.
        try FileManager.default.removeItem(atPath: path + ".revisions")
        let error = await #expect(throws: (any Error).self) {
            _ = try await LocalECS(stateFile: path).describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "body:3"))
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("state.json.revisions"), "\(String(describing: error))")

        // A reset forgets the bodies, and the file starts again.
        try "old bodies\n".write(toFile: path + ".revisions", atomically: true, encoding: .utf8)
        let fresh = LocalECS(stateFile: path)
        try await fresh.reset()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path + ".revisions")).isEmpty)
        _ = try await fresh.registerTaskDefinition(
            ECSAPI.RegisterTaskDefinitionRequest(
                family: "body", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "again", memory: 8)]))
        let again = try await LocalECS(stateFile: path).describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "body"))
        #expect(again.taskDefinition?.revision == 1)
        #expect(again.taskDefinition?.containerDefinitions?.first?.image == "again")
    }

    /// A crash of the machine can keep a journal line and lose the body it names (written, not
    /// yet synced: that call never answered). The line, and every line after it, is dropped.
    @Test func aJournalLineWhoseBodyWasLostIsDropped() async throws {
        let folder = ScratchFolder()
        let path = folder.path + "/state.json"
        let ecs = LocalECS(stateFile: path)
        for image in ["kept", "lost"] {
            _ = try await ecs.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: "c", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: image, memory: 8)]))
        }
        let bodies = try Data(contentsOf: URL(fileURLWithPath: path + ".revisions"))
        let firstLine = try #require(bodies.firstIndex(of: UInt8(ascii: "\n")))
        try bodies.prefix(firstLine + 1).write(to: URL(fileURLWithPath: path + ".revisions"))
        let after = LocalECS(stateFile: path)
        let latest = try await after.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "c"))
        #expect(latest.taskDefinition?.revision == 1)
        #expect(latest.taskDefinition?.containerDefinitions?.first?.image == "kept")
        let next = try await after.registerTaskDefinition(
            ECSAPI.RegisterTaskDefinitionRequest(family: "c", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "next", memory: 8)])
        )
        #expect(next.taskDefinition?.revision == 2)
        let second = try await LocalECS(stateFile: path).describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "c:2"))
        #expect(second.taskDefinition?.containerDefinitions?.first?.image == "next")

        // State from a newer berth is refused, not read as something else.
        try #"{"version":99,"revisions":{}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let error = await #expect(throws: (any Error).self) {
            _ = try await LocalECS(stateFile: path).listTaskDefinitions(ECSAPI.ListTaskDefinitionsRequest())
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("newer berth"), "\(String(describing: error))")
    }

    /// A snapshot written when every revision was held whole (version 2) reads the same, and
    /// the revisions registered after it go to the revisions file.
    @Test func stateWithWholeRevisionsStillLoads() async throws {
        let folder = ScratchFolder()
        let path = folder.path + "/state.json"
        let whole =
            #"{"family":"held","revision":1,"status":"ACTIVE","taskDefinitionArn":"arn:aws:ecs:us-east-1:000000000000:task-definition/held:1","containerDefinitions":[{"name":"a","image":"a:1"}]}"#
        try Data(
            #"{"version":2,"clusters":{},"revisionCounts":{"held":1},"revisions":{"held:1":\#(whole)},"tags":{},"services":{},"tasks":{},"failingImages":[],"nextID":1}"#
                .utf8
        ).write(to: URL(fileURLWithPath: path))
        let ecs = LocalECS(stateFile: path)
        let next = try await ecs.registerTaskDefinition(
            ECSAPI.RegisterTaskDefinitionRequest(
                family: "held", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "a:2", memory: 8)]))
        #expect(next.taskDefinition?.revision == 2)
        _ = try await ecs.deregisterTaskDefinition(ECSAPI.DeregisterTaskDefinitionRequest(taskDefinition: "held:1"))
        let other = LocalECS(stateFile: path)
        let first = try await other.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "held:1"))
        #expect(first.taskDefinition?.containerDefinitions?.first?.image == "a:1")
        #expect(first.taskDefinition?.status == "INACTIVE")
        let second = try await other.describeTaskDefinition(ECSAPI.DescribeTaskDefinitionRequest(taskDefinition: "held"))
        #expect(second.taskDefinition?.containerDefinitions?.first?.image == "a:2")
    }

    @Test func paginationFollowsNextToken() async throws {
        let ecs = LocalECS(stateFile: nil)
        for i in 0..<7 {
            _ = try await ecs.registerTaskDefinition(
                ECSAPI.RegisterTaskDefinitionRequest(
                    family: "paged", containerDefinitions: [ECSAPI.ContainerDefinition(name: "a", image: "a:\(i)", memory: 8)]))
        }
        let first = try await ecs.listTaskDefinitions(ECSAPI.ListTaskDefinitionsRequest(familyPrefix: "paged", sort: "DESC", maxResults: 3))
        #expect(first.taskDefinitionArns?.count == 3 && first.taskDefinitionArns?.first?.hasSuffix(":7") == true)
        #expect(first.nextToken != nil)
        #expect(try await ecs.allTaskDefinitionArns(familyPrefix: "paged").count == 7)
    }

    @Test func oneOffTasksRunAndStopWithExitCodes() async throws {
        let clock = TestClock()
        let ecs = LocalECS(stateFile: nil, pace: 4, now: { clock.now })
        _ = try await ecs.createCluster(ECSAPI.CreateClusterRequest(clusterName: "prod"))
        _ = try await ecs.registerTaskDefinition(
            ECSAPI.RegisterTaskDefinitionRequest(
                family: "migrate", containerDefinitions: [ECSAPI.ContainerDefinition(name: "m", image: "migrate:1", memory: 8)]))
        let task = try #require(try await ecs.runTask(ECSAPI.RunTaskRequest(cluster: "prod", taskDefinition: "migrate")).tasks?.first)
        clock.advance(2.5)
        #expect(
            try await ecs.describeTasks(ECSAPI.DescribeTasksRequest(cluster: "prod", tasks: [task.taskArn!])).tasks?.first?.lastStatus == "RUNNING")
        clock.advance(2)
        let stopped = try #require(try await ecs.describeTasks(ECSAPI.DescribeTasksRequest(cluster: "prod", tasks: [task.taskArn!])).tasks?.first)
        #expect(stopped.lastStatus == "STOPPED" && stopped.containers?.first?.exitCode == 0)
    }
}
