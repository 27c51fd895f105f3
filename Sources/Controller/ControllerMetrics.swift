import AWS
import Prometheus

/// The controller's Prometheus metrics (text format on /metrics).
public final class ControllerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let calls: CallCounter

    init(calls: CallCounter) {
        self.calls = calls
    }

    func reconciled(_ environment: String, converged: Bool, seconds: Double) {
        registry.makeCounter(name: "berth_reconcile_total", labels: [("environment", environment), ("result", converged ? "converged" : "not_converged")]).increment()
        registry.makeGauge(name: "berth_environment_converged", labels: [("environment", environment)]).set(to: converged ? 1.0 : 0.0)
        registry.makeGauge(name: "berth_reconcile_duration_seconds", labels: [("environment", environment)]).set(to: seconds)
    }

    /// Seconds from the commit to berth applying it, and to every service being steady.
    func leadTime(_ environment: String, applied: Double, steady: Double) {
        registry.makeGauge(name: "berth_lead_time_seconds", labels: [("environment", environment), ("stage", "applied")]).set(to: applied)
        registry.makeGauge(name: "berth_lead_time_seconds", labels: [("environment", environment), ("stage", "steady")]).set(to: steady)
    }

    func serviceInSync(_ environment: String, _ service: String, _ inSync: Bool) {
        registry.makeGauge(name: "berth_service_in_sync", labels: [("environment", environment), ("service", service)]).set(to: inSync ? 1 : 0)
    }

    func fetched(ok: Bool, seconds: Double) {
        registry.makeCounter(name: "berth_git_fetch_total", labels: [("result", ok ? "ok" : "error")]).increment()
        registry.makeGauge(name: "berth_git_fetch_duration_seconds").set(to: seconds)
    }

    func webhook(_ result: String) {
        registry.makeCounter(name: "berth_webhook_total", labels: [("result", result)]).increment()
    }

    /// The text exposition, with the AWS/ECS call counts as of now.
    public func render() -> String {
        for (key, count) in calls.snapshot {
            registry.makeGauge(name: "berth_ecs_calls", labels: [("service", key.service), ("operation", key.operation), ("outcome", key.outcome)])
                .set(to: Double(count))
        }
        return registry.emitToString()
    }
}
