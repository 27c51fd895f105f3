import AWS
import ECSModel
import Foundation

/// The CodeDeploy operations berth uses to deploy a service whose deployment controller is
/// `CODE_DEPLOY`: ECS refuses a new task definition for such a service through UpdateService,
/// so the revision goes out as a CodeDeploy deployment. Implemented over the real API and by
/// the local target, which simulates CodeDeploy's blue/green swap on its own services.
package protocol CodeDeployClient: Sendable {
    func createDeployment(_ input: CodeDeployAPI.CreateDeploymentInput) async throws -> CodeDeployAPI.CreateDeploymentOutput
    func getDeployment(_ input: CodeDeployAPI.GetDeploymentInput) async throws -> CodeDeployAPI.GetDeploymentOutput
    func listDeployments(_ input: CodeDeployAPI.ListDeploymentsInput) async throws -> CodeDeployAPI.ListDeploymentsOutput
    func listApplications(_ input: CodeDeployAPI.ListApplicationsInput) async throws -> CodeDeployAPI.ListApplicationsOutput
    func listDeploymentGroups(_ input: CodeDeployAPI.ListDeploymentGroupsInput) async throws -> CodeDeployAPI.ListDeploymentGroupsOutput
    func getDeploymentGroup(_ input: CodeDeployAPI.GetDeploymentGroupInput) async throws -> CodeDeployAPI.GetDeploymentGroupOutput
    func createApplication(_ input: CodeDeployAPI.CreateApplicationInput) async throws -> CodeDeployAPI.CreateApplicationOutput
    func createDeploymentGroup(_ input: CodeDeployAPI.CreateDeploymentGroupInput) async throws -> CodeDeployAPI.CreateDeploymentGroupOutput
}

/// A CodeDeploy deployment's status, as GetDeployment spells it.
package enum CodeDeployStatus: String, Sendable, CaseIterable {
    case created = "Created", queued = "Queued", inProgress = "InProgress", baking = "Baking", ready = "Ready"
    case succeeded = "Succeeded", failed = "Failed", stopped = "Stopped"

    /// Not finished: CodeDeploy takes no second deployment for the group while one of these runs.
    package static let active: [CodeDeployStatus] = [.created, .queued, .inProgress, .baking, .ready]
}

extension CodeDeployClient {
    /// The application and deployment group that deploy `service` in `cluster`: the ones whose
    /// group lists it in `ecsServices`, as CodeDeploy itself ties them. At most `limit` groups
    /// are looked at; nil when none deploys the service.
    package func deploymentGroup(deploying service: String, cluster: String, limit: Int = 200) async throws -> (application: String, group: String)? {
        var looked = 0
        var applicationsToken: String?
        repeat {
            let applications = try await listApplications(CodeDeployAPI.ListApplicationsInput(nextToken: applicationsToken))
            for application in applications.applications ?? [] {
                var groupsToken: String?
                repeat {
                    let groups = try await listDeploymentGroups(
                        CodeDeployAPI.ListDeploymentGroupsInput(
                            applicationName: application, nextToken: groupsToken))
                    for group in groups.deploymentGroups ?? [] {
                        looked += 1
                        if looked > limit { return nil }
                        let info = try await getDeploymentGroup(
                            CodeDeployAPI.GetDeploymentGroupInput(
                                applicationName: application, deploymentGroupName: group)
                        ).deploymentGroupInfo
                        if info?.ecsServices?.contains(where: { $0.serviceName == service && Self.sameCluster($0.clusterName, cluster) }) == true {
                            return (application, group)
                        }
                    }
                    groupsToken = groups.nextToken
                } while groupsToken != nil
            }
            applicationsToken = applications.nextToken
        } while applicationsToken != nil
        return nil
    }

    /// A cluster named by name or by ARN.
    package static func sameCluster(_ named: String?, _ cluster: String) -> Bool {
        guard let named else { return false }
        return named == cluster || named.hasSuffix(":cluster/" + cluster)
    }
}

/// CodeDeploy over its real API (JSON 1.1, SigV4), through `AWSClient`.
package struct AWSCodeDeployClient: CodeDeployClient {
    package let client: AWSClient

    package init(client: AWSClient) {
        self.client = client
    }

    func call<Input: Encodable, Output: Decodable>(_ operation: String, _ input: Input) async throws -> Output {
        let response = try await client.json(.codeDeploy, operation, body: Array(try JSONEncoder().encode(input)))
        do {
            return try JSONDecoder().decode(Output.self, from: Data(response.isEmpty ? Array("{}".utf8) : response))
        } catch {
            throw AWSError(
                code: "DecodeError", message: "cannot read the \(operation) response: \(error)", status: 200,
                service: "codedeploy", operation: operation)
        }
    }

    package func createDeployment(_ input: CodeDeployAPI.CreateDeploymentInput) async throws -> CodeDeployAPI.CreateDeploymentOutput {
        try await call("CreateDeployment", input)
    }

    package func getDeployment(_ input: CodeDeployAPI.GetDeploymentInput) async throws -> CodeDeployAPI.GetDeploymentOutput {
        try await call("GetDeployment", input)
    }

    package func listDeployments(_ input: CodeDeployAPI.ListDeploymentsInput) async throws -> CodeDeployAPI.ListDeploymentsOutput {
        try await call("ListDeployments", input)
    }

    package func listApplications(_ input: CodeDeployAPI.ListApplicationsInput) async throws -> CodeDeployAPI.ListApplicationsOutput {
        try await call("ListApplications", input)
    }

    package func listDeploymentGroups(_ input: CodeDeployAPI.ListDeploymentGroupsInput) async throws -> CodeDeployAPI.ListDeploymentGroupsOutput {
        try await call("ListDeploymentGroups", input)
    }

    package func getDeploymentGroup(_ input: CodeDeployAPI.GetDeploymentGroupInput) async throws -> CodeDeployAPI.GetDeploymentGroupOutput {
        try await call("GetDeploymentGroup", input)
    }

    package func createApplication(_ input: CodeDeployAPI.CreateApplicationInput) async throws -> CodeDeployAPI.CreateApplicationOutput {
        try await call("CreateApplication", input)
    }

    package func createDeploymentGroup(_ input: CodeDeployAPI.CreateDeploymentGroupInput) async throws -> CodeDeployAPI.CreateDeploymentGroupOutput {
        try await call("CreateDeploymentGroup", input)
    }
}
