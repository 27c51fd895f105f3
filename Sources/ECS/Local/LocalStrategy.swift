import ECSModel
import Foundation

/// ECS's own blue/green, linear and canary deployments (`deploymentConfiguration.strategy`)
/// on the local target, as a timeline of ECS's lifecycle stages. One ECS minute (a bake, a
/// step's wait) lasts `pace` seconds here, and each other stage an eighth of it, so a
/// blue/green deployment without bake takes ten of them: a little longer than a rolling one.
///
/// A lifecycle hook registered for a stage that `berth local fail-hook` marks as failing fails
/// at the end of that stage, and ECS moves traffic back to the source revision.
struct LocalStrategy {
    struct Stage: Equatable {
        let name: String
        let start: TimeInterval
        let end: TimeInterval
        /// The production traffic on the new revision during this stage, in percent.
        let production: Double
    }

    let strategy: String
    let stages: [Stage]
    let hooks: [ECSAPI.DeploymentLifecycleHook]

    /// nil for a rolling deployment.
    init?(_ configuration: ECSAPI.DeploymentConfiguration?, pace: TimeInterval) {
        guard let configuration, let strategy = configuration.stagedStrategy else { return nil }
        self.strategy = strategy
        hooks = configuration.lifecycleHooks ?? []
        let unit = pace / 8
        var stages: [Stage] = []
        var clock: TimeInterval = 0
        func add(_ name: String, _ length: TimeInterval, production: Double) {
            stages.append(Stage(name: name, start: clock, end: clock + length, production: production))
            clock += length
        }
        for name in ["RECONCILE_SERVICE", "PRE_SCALE_UP", "SCALE_UP", "POST_SCALE_UP", "TEST_TRAFFIC_SHIFT", "POST_TEST_TRAFFIC_SHIFT"] {
            add(name, unit, production: 0)
        }
        switch strategy {
        case "LINEAR":
            let step = max(1, min(100, configuration.linearConfiguration?.stepPercent ?? 10))
            let wait = Double(configuration.linearConfiguration?.stepBakeTimeInMinutes ?? 0) * pace
            var shifted = 0.0
            while shifted < 100 {
                shifted = min(100, shifted + step)
                add("PRODUCTION_TRAFFIC_SHIFT", unit + (shifted < 100 ? wait : 0), production: shifted)
            }
        case "CANARY":
            let canary = max(0, min(100, configuration.canaryConfiguration?.canaryPercent ?? 10))
            add("PRODUCTION_TRAFFIC_SHIFT", unit + Double(configuration.canaryConfiguration?.canaryBakeTimeInMinutes ?? 0) * pace, production: canary)
            add("PRODUCTION_TRAFFIC_SHIFT", unit, production: 100)
        default:
            add("PRODUCTION_TRAFFIC_SHIFT", unit, production: 100)
        }
        add("POST_PRODUCTION_TRAFFIC_SHIFT", unit, production: 100)
        add("BAKE_TIME", Double(configuration.bakeTimeInMinutes ?? 0) * pace, production: 100)
        add("CLEAN_UP", unit, production: 100)
        self.stages = stages
    }

    var duration: TimeInterval { stages.last?.end ?? 0 }

    /// The stage `elapsed` seconds after the deployment started.
    func stage(at elapsed: TimeInterval) -> Stage? {
        stages.first { elapsed < $0.end } ?? stages.last
    }

    /// The first hook that fails, given the stages marked failing: its target, the stage, and
    /// how long after the start it fails (the end of its stage; PRE_PRODUCTION_TRAFFIC_SHIFT
    /// fails as production traffic would start to move).
    func hookFailure(failing: Set<String>) -> (hook: String, stage: String, at: TimeInterval)? {
        var found: [(hook: String, stage: String, at: TimeInterval)] = []
        for hook in hooks {
            for stage in hook.lifecycleStages ?? [] where failing.contains(stage) {
                let at: TimeInterval?
                if stage == "PRE_PRODUCTION_TRAFFIC_SHIFT" {
                    at = stages.first { $0.name == "PRODUCTION_TRAFFIC_SHIFT" }?.start
                } else {
                    at = stages.last { $0.name == stage }?.end
                }
                if let at { found.append((hook.hookTargetArn ?? "a lifecycle hook", stage, at)) }
            }
        }
        return found.min { $0.at < $1.at }
    }
}
