import ECS
import ECSModel
import Foundation
import Manifests
import Plan
import Records

/// What apply does with each planned service before anything is written: record one found
/// applied, follow a rollout still in progress, skip drift or a spec that failed before, or
/// put it to work.
extension Applier {
    struct Triage {
        var outcomes: [ServiceOutcome] = []
        var work: [(ServicePlan, DesiredService)] = []
        var resumed: [Started] = []
    }

    func triage(_ plan: EnvironmentPlan, environment: Environment, desired: [DesiredService], records: EnvironmentRecords) -> Triage {
        var outcomes: [ServiceOutcome] = []
        var work: [(ServicePlan, DesiredService)] = []
        var resumed: [Started] = []
        for servicePlan in plan.services {
            guard let want = desired.first(where: { $0.name == servicePlan.service }) else { continue }
            if servicePlan.action == .inSync {
                // Applied by a run that stopped before it could record it: record it now.
                let recorded = records.converged(want.name, specHash: want.specHash, settingsHash: want.settingsHash)
                let phase = Self.phase(servicePlan.live)
                if !recorded, recorder != nil, phase == .failed {
                    // Git's spec runs, but ECS gave up on its rollout: that failure is not a
                    // convergence, and the apply that started it recorded it.
                    outcomes.append(
                        ServiceOutcome(
                            service: want.name, result: .inSync, record: nil,
                            liveTaskDefinitionArn: servicePlan.liveTaskDefinitionArn))
                    continue
                }
                if !recorded, recorder != nil, phase == .inProgress {
                    guard options.wait else {
                        // Not following it: say what was seen (rolling out), once per deployment.
                        let seen = records.saw(want.name, specHash: want.specHash, deploymentId: servicePlan.liveDeploymentId)
                        var record: DeploymentRecord?
                        if !seen {
                            record = DeploymentRecord(
                                environment: environment.name, service: want.name, taskDefinitionArn: servicePlan.liveTaskDefinitionArn ?? "",
                                specHash: want.specHash, settingsHash: want.settingsHash, deploymentId: servicePlan.liveDeploymentId,
                                started: now(), finished: nil, outcome: .started, reason: "found rolling out git's spec; outcome not followed",
                                target: TargetDescription.of(environment.target))
                        }
                        outcomes.append(
                            ServiceOutcome(
                                service: want.name, result: .applied(.started), record: record,
                                liveTaskDefinitionArn: servicePlan.liveTaskDefinitionArn))
                        continue
                    }
                    // Git's spec runs, but its rollout has not finished (an earlier run timed out,
                    // or was stopped): follow that deployment to its outcome, never assume it.
                    resumed.append(
                        Started(
                            want: want, taskDefinitionArn: servicePlan.liveTaskDefinitionArn ?? "",
                            expectation: .init(
                                serviceName: want.rendered.serviceName, deploymentId: servicePlan.liveDeploymentId,
                                taskDefinitionArn: servicePlan.liveTaskDefinitionArn ?? "",
                                primaryTaskSet: servicePlan.deploymentController == "CODE_DEPLOY"),
                            started: now()))
                    continue
                }
                var record: DeploymentRecord?
                if !recorded, recorder != nil {
                    record = DeploymentRecord(
                        environment: environment.name, service: want.name, taskDefinitionArn: servicePlan.liveTaskDefinitionArn ?? "",
                        specHash: want.specHash, settingsHash: want.settingsHash, deploymentId: servicePlan.liveDeploymentId,
                        started: now(), finished: now(), outcome: .converged,
                        reason: servicePlan.deploymentController == "EXTERNAL"
                            ? "found running git's spec, deployed by the service's EXTERNAL controller"
                            : "found matching git; recorded after an interrupted apply",
                        target: TargetDescription.of(environment.target))
                }
                outcomes.append(
                    ServiceOutcome(
                        service: want.name, result: .inSync, record: record,
                        liveTaskDefinitionArn: servicePlan.liveTaskDefinitionArn))
            } else if servicePlan.drift && !environment.policy.selfHeal {
                let fields = (servicePlan.taskDefinitionChanges.map(\.path) + servicePlan.settingsChanges.map { "service.\($0.path)" })
                outcomes.append(
                    recording.skip(
                        want, "\(ServiceOutcome.driftSkipPrefix) (\(fields.joined(separator: ", "))); policy.selfHeal is off",
                        environment: environment))
            } else if !options.retry, let failed = records.lastFailure(want.name, specHash: want.specHash, settingsHash: want.settingsHash) {
                outcomes.append(
                    recording.skip(
                        want, "this spec \(failed.outcome.rawValue) before (\(failed.reason ?? "no reason given")); commit a fix or run with --retry",
                        environment: environment))
            } else {
                work.append((servicePlan, want))
            }
        }
        return Triage(outcomes: outcomes, work: work, resumed: resumed)
    }
}
