import BerthTestSupport
import ECS
import ECSModel
import Foundation
@testable import Reconcile
import Testing

/// A service under CodeDeploy (`deploymentController: CODE_DEPLOY`): CodeDeploy swaps its
/// load balancer's target group on every deployment, which is not drift; and a new revision
/// is not pushed through UpdateService, which ECS refuses for such a service.
@Suite struct CodeDeployTests {
    static let blue = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-blue/0123456789abcdef"
    static let green = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-green/fedcba9876543210"

    static func files(image: String = "registry.example.com/app:1.0") -> [String: String] {
        manifests(services: 1, image: image, overlay: """
            service:
              desiredCount: 1
              deploymentController: {type: CODE_DEPLOY}
              loadBalancers: [{targetGroupArn: "\(blue)", containerName: app, containerPort: 8080}]
            """)
    }

    @Test func aTargetGroupSwappedByCodeDeployPlansClean() async throws {
        let repo = try ManifestRepo(Self.files())
        #expect(try await repo.apply("staging").allSatisfy { $0.succeeded })
        // CodeDeploy's deployment moved traffic to green.
        _ = try await repo.localECS().updateService(ECSAPI.UpdateServiceRequest(
            cluster: "staging", service: "svc0",
            loadBalancers: [ECSAPI.LoadBalancer(targetGroupArn: Self.green, containerName: "app", containerPort: 8080)]))
        let plan = try await repo.reconciler(fresh: true).plan("staging")
        #expect(!plan.hasChanges, "\(plan.services.map(\.settingsChanges))")
        #expect(plan.services.first?.deploymentController == "CODE_DEPLOY")

        // A container port that changed is still a change.
        let moved = Self.files().mapValues { $0.replacingOccurrences(of: "containerPort: 8080}]", with: "containerPort: 9090}]") }
        _ = try repo.commit(moved, "port 9090")
        #expect(try await repo.reconciler(fresh: true).plan("staging").hasChanges)
    }

    @Test func aNewRevisionIsNotPushedThroughUpdateService() async throws {
        let repo = try ManifestRepo(Self.files())
        #expect(try await repo.apply("staging").allSatisfy { $0.succeeded })
        _ = try repo.commit(Self.files(image: "registry.example.com/app:2.0"), "2.0")
        let error = await #expect(throws: ReconcileError.self) {
            _ = try await repo.reconciler(fresh: true).apply("staging", options: ApplyOptions(timeout: 10, pollInterval: 0.05))
        }
        #expect(error?.description.contains("must be deployed through CodeDeploy") == true, "\(String(describing: error))")
        #expect(error?.kind == .terminal)
        let live = try await repo.localECS().describeServices(cluster: "staging", names: ["svc0"]).services?.first
        #expect(live?.taskDefinition?.hasSuffix(":1") == true)
    }
}
