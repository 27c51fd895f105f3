import BerthTestSupport
import ECS
import ECSModel
import Foundation
import Git
@testable import Plan
@testable import Apply
@testable import Review
import Records
import Testing

/// Services ECS does not deploy itself. CODE_DEPLOY: a new revision goes out as a CodeDeploy
/// deployment (an AppSpec naming it), followed to success or rollback and recorded; the
/// target group CodeDeploy swaps is no drift. EXTERNAL: berth registers and says so.
@Suite struct CodeDeployTests {
    static let blue = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-blue/0123456789abcdef"

    static func files(
        image: String = "registry.example.com/app:1.0", codeDeploy: String = "",
        target: String = "local: {}"
    ) -> [String: String] {
        manifests(
            services: 1, target: target, image: image,
            overlay: """
                service:
                  desiredCount: 1
                  deploymentController: {type: CODE_DEPLOY}
                  deploymentConfiguration: null
                  loadBalancers: [{targetGroupArn: "\(blue)", containerName: app, containerPort: 8080}]
                \(codeDeploy)
                """)
    }

    @Test func aNewRevisionGoesOutThroughCodeDeployAndTheSwapIsNoDrift() async throws {
        let repo = try ManifestRepo(
            Self.files(
                codeDeploy: """
                    codeDeploy:
                      application: shop
                      deploymentGroup: shop-staging
                      hooks: {afterAllowTestTraffic: arn:aws:lambda:us-east-1:123456789012:function:smoke}
                    """))
        #expect(try await repo.apply("staging").allSatisfy { $0.succeeded })
        _ = try repo.commit(
            Self.files(
                image: "registry.example.com/app:2.0",
                codeDeploy: """
                    codeDeploy:
                      application: shop
                      deploymentGroup: shop-staging
                      hooks: {afterAllowTestTraffic: arn:aws:lambda:us-east-1:123456789012:function:smoke}
                    """), "2.0")
        let outcomes = try await repo.apply("staging")
        let record = try #require(outcomes.first?.record)
        #expect(record.outcome == .converged, "\(record)")
        #expect(record.deploymentId?.hasPrefix("d-") == true)
        #expect(record.taskDefinitionArn.hasSuffix(":2"))
        #expect(repo.counter.count("CreateDeployment") == 1)

        let local = repo.localECS()
        let info = try await local.getDeployment(CodeDeployAPI.GetDeploymentInput(deploymentId: record.deploymentId)).deploymentInfo
        let appSpec = try #require(info?.revision?.appSpecContent?.content)
        #expect(appSpec.contains(#""TaskDefinition":"\#(record.taskDefinitionArn)""#), "\(appSpec)")
        #expect(appSpec.contains(#""LoadBalancerInfo":{"ContainerName":"app","ContainerPort":8080}"#), "\(appSpec)")
        #expect(appSpec.contains(#""Hooks":[{"AfterAllowTestTraffic":"arn:aws:lambda:us-east-1:123456789012:function:smoke"}]"#), "\(appSpec)")

        // CodeDeploy moved traffic to the other target group: not drift.
        let live = try await local.describeServices(cluster: "staging", names: ["svc0"]).services?.first
        #expect(live?.taskDefinition == record.taskDefinitionArn)
        #expect(live?.loadBalancers?.first?.targetGroupArn?.contains("shop-blue-alt") == true)
        let plan = try await repo.reconciler(fresh: true).plan("staging")
        #expect(!plan.hasChanges, "\(plan.services.map(\.settingsChanges))")
        #expect(plan.services.first?.deploymentController == "CODE_DEPLOY")

        // A container port that changed is still a change.
        let moved = Self.files(image: "registry.example.com/app:2.0").mapValues {
            $0.replacingOccurrences(of: "containerPort: 8080}]", with: "containerPort: 9090}]")
        }
        _ = try repo.commit(moved, "port 9090")
        #expect(try await repo.reconciler(fresh: true).plan("staging").hasChanges)
    }

    @Test func aFailingRevisionIsRolledBackByCodeDeployAndNotTriedAgain() async throws {
        let repo = try ManifestRepo(Self.files())
        #expect(try await repo.apply("staging").allSatisfy { $0.succeeded })
        try await repo.localECS().setImage("registry.example.com/app:bad", failing: true)
        _ = try repo.commit(Self.files(image: "registry.example.com/app:bad"), "bad")
        let record = try #require(try await repo.apply("staging").first?.record)
        #expect(record.outcome == .rolledBack, "\(record)")
        #expect(record.reason?.contains("ECS_UPDATE_ERROR") == true, "\(String(describing: record.reason))")
        let live = try await repo.localECS().describeServices(cluster: "staging", names: ["svc0"]).services?.first
        #expect(live?.taskDefinition?.hasSuffix(":1") == true)
        // The same spec is skipped until a commit changes it.
        let again = try await repo.apply("staging")
        guard case .skipped? = again.first?.result else { Issue.record("\(again)"); return }
    }

    @Test func aDeploymentUnderWayIsFollowedNotStartedTwice() async throws {
        // Slow enough that the deployment is still under way when the second apply looks.
        let repo = try ManifestRepo(Self.files(), environment: ["BERTH_LOCAL_PACE": "2"])
        #expect(try await repo.apply("staging").allSatisfy { $0.succeeded })
        _ = try repo.commit(Self.files(image: "registry.example.com/app:2.0"), "2.0")
        let started = try #require(try await repo.apply("staging", wait: false).first?.record)
        #expect(started.outcome == .started)
        // A run that stopped while CodeDeploy went on: the next one follows the same deployment.
        let record = try #require(try await repo.apply("staging").first?.record)
        #expect(record.outcome == .converged, "\(record)")
        // Followed, or (a machine slow enough that CodeDeploy finished first) found running.
        #expect(record.deploymentId == started.deploymentId || record.deploymentId?.hasPrefix("d-") != true, "\(record)")
        #expect(repo.counter.count("CreateDeployment") == 1)
    }

    @Test func aNamedGroupMustDeployThisService() async throws {
        // The group named for svc0 in the base file, used by svc1 too: refused, nothing deployed.
        var files = manifests(
            services: 2,
            overlay: """
                service:
                  desiredCount: 1
                  deploymentController: {type: CODE_DEPLOY}
                  deploymentConfiguration: null
                  loadBalancers: [{targetGroupArn: "\(Self.blue)", containerName: app, containerPort: 8080}]
                codeDeploy: {application: shop, deploymentGroup: svc0-group}
                """)
        let repo = try ManifestRepo(files)
        #expect(try await repo.apply("staging").allSatisfy { $0.succeeded })
        for name in ["svc0", "svc1"] {
            files["services/\(name)/service.yaml"] = files["services/\(name)/service.yaml"]!.replacingOccurrences(of: "app:1.0", with: "app:2.0")
        }
        _ = try repo.commit(files, "2.0")
        // Whichever service made it first (they deploy together) converges; the other is refused,
        // recorded as a failure of its spec, and the apply goes on.
        let outcomes = try await repo.apply("staging")
        let refused = try #require(outcomes.first { !$0.succeeded }?.record)
        #expect(outcomes.filter(\.succeeded).count == 1, "\(outcomes.map(\.result))")
        #expect(refused.outcome == .failed)
        let said = refused.reason ?? ""
        #expect(said.contains("deploys staging/svc0, not staging/svc1") || said.contains("deploys staging/svc1, not staging/svc0"), "\(said)")
    }

    @Test func ecsRefusesWhatCodeDeployOwns() async throws {
        let repo = try ManifestRepo(Self.files())
        #expect(try await repo.apply("staging").allSatisfy { $0.succeeded })
        await #expect(throws: (any Error).self) {
            _ = try await repo.localECS().updateService(
                ECSAPI.UpdateServiceRequest(
                    cluster: "staging", service: "svc0",
                    loadBalancers: [ECSAPI.LoadBalancer(targetGroupArn: "tg", containerName: "app", containerPort: 8080)]))
        }
    }

    @Test func anExternalServiceHasItsRevisionRegisteredAndReportedAsSuch() async throws {
        // Load balancers are its task sets' (its controller's): not sent, not compared.
        let overlay =
            "service:\n  desiredCount: 1\n  deploymentController: {type: EXTERNAL}\n  deploymentConfiguration: null\n"
            + "  loadBalancers: [{targetGroupArn: \"\(Self.blue)\", containerName: app, containerPort: 8080}]"
        let repo = try ManifestRepo(manifests(services: 1, overlay: overlay))
        let first = try await repo.apply("staging")
        #expect(first.first?.record?.outcome == .registered, "\(first)")
        #expect(first.allSatisfy { $0.succeeded })
        let files = manifests(services: 1, image: "registry.example.com/app:2.0", overlay: overlay)
        _ = try repo.commit(files, "2.0")
        let record = try #require(try await repo.apply("staging").first?.record)
        #expect(record.outcome == .registered, "\(record)")
        #expect(record.taskDefinitionArn.hasSuffix(":2"))
        #expect(record.reason?.contains("EXTERNAL") == true)
        // Nothing runs until the controller that deploys it makes a task set.
        let live = try await repo.localECS().describeServices(cluster: "staging", names: ["svc0"]).services?.first
        #expect(live?.taskDefinition == nil && live?.taskSets?.isEmpty == true)
        #expect(repo.counter.count("UpdateService") == 0)
        let plan = try await repo.reconciler(fresh: true).plan("staging")
        #expect(plan.services.first?.settingsChanges.isEmpty == true, "\(plan.services.first?.settingsChanges ?? [])")
    }

    /// On moto: CreateDeployment reaches CodeDeploy over SigV4 with the AppSpec naming the new
    /// revision, found by the group that lists the service. moto's deployments never leave
    /// `Created`, so the apply does not wait and records what it saw: started.
    @Test func onAWSTheDeploymentGroupIsFoundAndTheDeploymentCreated() async throws {
        let cluster = "cd-\(UUID().uuidString.prefix(6).lowercased())"
        // A region of its own: other suites count the revisions of their families in theirs.
        let aws = try await MotoServer.shared.client(region: "ap-south-1")
        _ = try await AWSECSClient(client: aws).createCluster(ECSAPI.CreateClusterRequest(clusterName: cluster))
        let target = "aws: {region: ap-south-1, cluster: \(cluster)}"
        let repo = try ManifestRepo(Self.files(target: target), environment: try await motoEnvironment())
        #expect(try await repo.apply("staging", wait: false).allSatisfy { $0.succeeded })
        let codeDeploy = AWSCodeDeployClient(client: aws)
        let application = "shop-\(cluster)"
        _ = try await codeDeploy.createApplication(CodeDeployAPI.CreateApplicationInput(applicationName: application, computePlatform: "ECS"))
        _ = try await codeDeploy.createDeploymentGroup(
            CodeDeployAPI.CreateDeploymentGroupInput(
                applicationName: application, deploymentGroupName: "shop", serviceRoleArn: "arn:aws:iam::123456789012:role/codedeploy",
                deploymentStyle: CodeDeployAPI.DeploymentStyle(deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL"),
                ecsServices: [CodeDeployAPI.ECSService(serviceName: "svc0", clusterName: cluster)]))

        #expect(!(try await repo.reconciler(fresh: true).plan("staging").hasChanges))
        // CodeDeploy moved traffic to the green target group (done here by hand): no drift.
        let green = "arn:aws:elasticloadbalancing:ap-south-1:123456789012:targetgroup/shop-green/fedcba9876543210"
        _ = try await AWSECSClient(client: aws).updateService(
            ECSAPI.UpdateServiceRequest(
                cluster: cluster, service: "svc0",
                loadBalancers: [ECSAPI.LoadBalancer(targetGroupArn: green, containerName: "app", containerPort: 8080)]))
        let swapped = try await repo.reconciler(fresh: true).plan("staging")
        #expect(!swapped.hasChanges, "\(swapped.services.map(\.settingsChanges))")
        _ = try repo.commit(Self.files(image: "registry.example.com/app:2.0", target: target), "2.0")
        let record = try #require(try await repo.apply("staging", wait: false).first?.record)
        #expect(record.outcome == .started, "\(record)")
        let id = try #require(record.deploymentId)
        let info = try await codeDeploy.getDeployment(CodeDeployAPI.GetDeploymentInput(deploymentId: id)).deploymentInfo
        #expect(info?.applicationName == application)
        #expect(info?.deploymentGroupName == "shop")
        #expect(info?.revision?.appSpecContent?.content?.contains(record.taskDefinitionArn) == true, "\(String(describing: info?.revision))")
        #expect(repo.counter.count("UpdateService") == 0)
    }
}
