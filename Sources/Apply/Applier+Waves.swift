import ECS
import Foundation
import Git
import Manifests
import Plan
import Records

/// The services of a plan in waves: one wave after another, a wave's services together (at
/// most `options.concurrency` at once).
extension Applier {
    /// The services of `work` in wave order: each declared wave, then everything else.
    static func waves(_ declared: [[String]], work: [String]) -> [[String]] {
        let inWaves = Set(declared.flatMap { $0 })
        let groups = declared.map { $0.filter(work.contains) } + [work.filter { !inWaves.contains($0) }]
        return groups.filter { !$0.isEmpty }
    }

    func applyWave(
        _ members: [(ServicePlan, DesiredService)], environment: Environment, taskDefinitions: [String: String],
        commit: ObjectID
    ) async throws -> [ServiceOutcome] {
        var started: [Started] = []
        // A service berth refuses to deploy (a terminal ReconcileError: what its controller
        // cannot take) does not stop the others: what started is followed and recorded, and the
        // refusal is recorded as a failure of that spec. Any other error (ECS's, a lost answer,
        // a cancellation) stops the apply as before: the next one sees what happened.
        var refused: [ServiceOutcome] = []
        var raised: (any Error)?
        var index = 0
        while index < members.count {
            let batch = members[index..<min(index + max(1, options.concurrency), members.count)]
            let results = await withTaskGroup(of: (DesiredService, Result<Started, any Error>).self) { group in
                for (servicePlan, want) in batch {
                    let arn = taskDefinitions[want.name] ?? servicePlan.liveTaskDefinitionArn ?? ""
                    group.addTask {
                        do {
                            return (
                                want,
                                .success(
                                    try await updateService(
                                        servicePlan, want, environment: environment, taskDefinitionArn: arn,
                                        commit: commit))
                            )
                        } catch {
                            return (want, .failure(error))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            for (want, result) in results {
                switch result {
                case .success(let item):
                    started.append(item)
                case .failure(let error as ReconcileError) where error.kind == .terminal:
                    progress("\(environment.name)/\(want.name): \(error)")
                    refused.append(
                        ServiceOutcome(
                            service: want.name, result: .applied(.failed),
                            record: DeploymentRecord(
                                environment: environment.name, service: want.name, taskDefinitionArn: taskDefinitions[want.name] ?? "",
                                specHash: want.specHash, settingsHash: want.settingsHash, deploymentId: nil, started: now(), finished: now(),
                                outcome: .failed, reason: "\(error)", target: TargetDescription.of(environment.target))))
                case .failure(let error):
                    raised = raised ?? error
                }
            }
            if raised != nil { break }
            index += options.concurrency
        }
        if let raised { throw raised }
        return try await finish(started, environment: environment, commit: commit) + recording.recorded(refused, commit: commit)
    }
}
