import AWS
import ECS
import ECSModel
import Foundation
import Git
import Manifests
import Plan
import Records

/// Following started rollouts to their outcomes.
extension Applier {
    enum RolloutPhase { case completed, inProgress, failed }

    /// Where a live service's rollout stands: ECS's rollout state, or (an endpoint without
    /// rollout states) complete when every task runs and none is pending.
    static func phase(_ live: LiveSummary?) -> RolloutPhase {
        guard let live else { return .inProgress }
        switch live.rolloutState {
        case .some(ECSStatus.completed): return .completed
        case .some(ECSStatus.failed): return .failed
        case nil: return live.runningCount == live.desiredCount && live.pendingCount == 0 ? .completed : .inProgress
        default: return .inProgress
        }
    }

    /// Polls every started rollout together until each has an outcome or the timeout passes.
    func watch(_ started: [Started], cluster: String) async throws -> [String: (DeploymentRecord.Outcome, String?)] {
        var pending = Dictionary(uniqueKeysWithValues: started.compactMap { item in item.expectation.map { (item.want.name, ($0, item.want)) } })
        var results: [String: (DeploymentRecord.Outcome, String?)] = [:]
        var lastProgress: [String: String] = [:]
        var seenEvents = Set<String>()
        var firstLook = true
        let deadline = now().addingTimeInterval(options.timeout)
        while !pending.isEmpty {
            let names = pending.values.filter { !$0.0.codeDeploy }.map(\.0.serviceName)
            let live = names.isEmpty ? [] : try await client.describeServices(cluster: cluster, names: names).services ?? []
            for (service, (expectation, want)) in pending {
                let verdict: RolloutWatcher.Verdict
                if expectation.codeDeploy {
                    let info = try await codeDeploy?.getDeployment(CodeDeployAPI.GetDeploymentInput(deploymentId: expectation.deploymentId))
                        .deploymentInfo
                    var rollback: CodeDeployAPI.DeploymentInfo?
                    if let rollbackID = info?.rollbackInfo?.rollbackDeploymentId {
                        rollback = try await codeDeploy?.getDeployment(CodeDeployAPI.GetDeploymentInput(deploymentId: rollbackID)).deploymentInfo
                    }
                    verdict = RolloutWatcher.judge(info, rollback: rollback, expectation)
                } else {
                    guard let current = live.first(where: { $0.serviceName == expectation.serviceName }) else { continue }
                    // ECS's own service events, newest last, each once; the backlog before the apply is skipped.
                    for event in (current.events ?? []).prefix(5).reversed() {
                        guard let id = event.id, seenEvents.insert(id).inserted, !firstLook else { continue }
                        progress("\(want.rendered.environment)/\(service): event: \(event.message ?? "")")
                    }
                    var judged = RolloutWatcher.judge(current, expectation)
                    if case .done(.rolledBack, let reason) = judged, !current.deployments!.contains(where: { $0.id == expectation.deploymentId }) {
                        // The failed deployment is gone from the service: ask the ServiceDeployment API why.
                        judged = .done(.rolledBack, await serviceDeploymentReason(cluster: cluster, expectation) ?? reason)
                    }
                    if let stage = await DeploymentStage.current(of: current, client: client) {
                        let said = DeploymentStage.describe(stage, strategy: current.deploymentConfiguration?.strategy)
                        switch judged {
                        case .waiting(let line):
                            judged = .waiting(line + "; " + said)
                        case .done(.converged, _) where DeploymentStage.unfinished(stage):
                            // Converged only once ECS's own deployment has finished its bake.
                            judged = .waiting("finishing: " + said)
                        default:
                            break
                        }
                    }
                    verdict = judged
                }
                switch verdict {
                case .done(let outcome, let reason):
                    results[service] = (outcome, reason)
                    pending[service] = nil
                    progress("\(want.rendered.environment)/\(service): \(outcome.rawValue)\(reason.map { " (\($0))" } ?? "")")
                case .waiting(let line):
                    if lastProgress[service] != line {
                        progress("\(want.rendered.environment)/\(service): \(line)")
                        lastProgress[service] = line
                    }
                }
            }
            firstLook = false
            if pending.isEmpty { break }
            if now() >= deadline {
                for (service, _) in pending { results[service] = (.timedOut, "no outcome within \(Int(options.timeout))s") }
                break
            }
            try await Task.sleep(nanoseconds: UInt64(options.pollInterval * 1e9))
        }
        return results
    }

    /// The status reason ECS gave the deployment of `expectation`'s task definition, where the
    /// endpoint has the ServiceDeployment API.
    func serviceDeploymentReason(cluster: String, _ expectation: RolloutWatcher.Expectation) async -> String? {
        guard
            let briefs = try? await client.listServiceDeployments(
                ECSAPI.ListServiceDeploymentsRequest(
                    service: expectation.serviceName, cluster: cluster)
            ).serviceDeployments
        else { return nil }
        return briefs.last { $0.targetServiceRevisionArn == expectation.taskDefinitionArn && $0.statusReason != nil }?.statusReason
    }

    /// Waits for started rollouts (unless told not to) and records each outcome.
    func finish(_ started: [Started], environment: Environment, commit: ObjectID) async throws -> [ServiceOutcome] {
        var finished: [String: (DeploymentRecord.Outcome, String?)] = [:]
        var cancelled = false
        if options.wait {
            do {
                finished = try await watch(started, cluster: environment.target.cluster)
            } catch is CancellationError {
                // A newer commit takes over: what was started is recorded as superseded.
                cancelled = true
                for item in started where finished[item.want.name] == nil {
                    finished[item.want.name] = (.superseded, "a newer commit arrived while this rollout was in progress")
                }
            }
        }
        var outcomes: [ServiceOutcome] = []
        for item in started.sorted(by: { $0.want.name < $1.want.name }) {
            let (outcome, reason) = item.outcome ?? (item.expectation == nil ? (.converged, nil) : (finished[item.want.name] ?? (.started, nil)))
            var record = DeploymentRecord(
                environment: environment.name, service: item.want.name, taskDefinitionArn: item.taskDefinitionArn,
                specHash: item.want.specHash, settingsHash: item.want.settingsHash, deploymentId: item.expectation?.deploymentId,
                started: item.started, finished: outcome == .started ? nil : now(), outcome: outcome, reason: reason,
                target: TargetDescription.of(environment.target))
            record.drifted = item.drifted
            outcomes.append(ServiceOutcome(service: item.want.name, result: .applied(outcome), record: record))
        }
        outcomes = try await recording.recorded(outcomes, commit: commit)
        if cancelled { throw CancellationError() }
        return outcomes
    }
}
