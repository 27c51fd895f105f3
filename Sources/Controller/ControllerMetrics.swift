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
        counter("berth_reconcile", "Reconcile passes by environment and result.",
                [("environment", environment), ("result", converged ? "converged" : "not_converged")]).increment()
        gauge("berth_environment_converged", "1 when the environment's last pass converged.", [("environment", environment)])
            .set(to: converged ? 1.0 : 0.0)
        gauge("berth_reconcile_duration", "Seconds the environment's last pass took.", [("environment", environment)], unit: "seconds")
            .set(to: seconds)
    }

    /// Seconds from the commit to berth applying it, and to every service being steady.
    func leadTime(_ environment: String, applied: Double, steady: Double) {
        let help = "Seconds from the commit to its apply and to steady services."
        gauge("berth_lead_time", help, [("environment", environment), ("stage", "applied")], unit: "seconds").set(to: applied)
        gauge("berth_lead_time", help, [("environment", environment), ("stage", "steady")], unit: "seconds").set(to: steady)
    }

    func serviceInSync(_ environment: String, _ service: String, _ inSync: Bool) {
        gauge("berth_service_in_sync", "1 when the service matches its manifest.", [("environment", environment), ("service", service)])
            .set(to: inSync ? 1 : 0)
    }

    func fetched(ok: Bool, seconds: Double) {
        counter("berth_git_fetch", "Fetches of the manifest repository by result.", [("result", ok ? "ok" : "error")]).increment()
        gauge("berth_git_fetch_duration", "Seconds the last fetch took.", [], unit: "seconds").set(to: seconds)
    }

    /// Review environments by state, as of the last review pass.
    func reviews(_ counts: [String: Int]) {
        for state in ["ready", "progressing", "failed", "waiting", "tearing-down"] {
            gauge("berth_review_environments", "Review environments by state.", [("state", state)]).set(to: Double(counts[state] ?? 0))
        }
    }

    func reviewTornDown(ok: Bool) {
        counter("berth_review_teardowns", "Review environment teardowns by result.", [("result", ok ? "done" : "error")]).increment()
    }

    func repacked(seconds: Double) {
        counter("berth_git_repack", "Repacks of the controller's mirror.", []).increment()
        gauge("berth_git_repack_duration", "Seconds the last repack took.", [], unit: "seconds").set(to: seconds)
    }

    func httpConnections(_ open: Int) {
        gauge("berth_http_connections", "Open connections to the HTTP server.", []).set(to: Double(open))
    }

    func httpConnectionLimitReached() {
        counter("berth_http_connection_limit_reached", "Times the HTTP server reached its connection limit and paused accepting.", [])
            .increment()
    }

    func webhook(_ result: String) {
        counter("berth_webhook", "Webhook deliveries by result.", [("result", result)]).increment()
    }

    /// The text exposition, with the AWS/ECS call counts as of now.
    public func render() -> String {
        for (key, count) in calls.snapshot {
            gauge("berth_ecs_calls", "AWS calls made since start, by operation and outcome.",
                  [("service", key.service), ("operation", key.operation), ("outcome", key.outcome)]).set(to: Double(count))
        }
        return registry.emitToString()
    }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "total", helpText: help), labels: labels)
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)], unit: String = "") -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: unit, helpText: help), labels: labels)
    }
}
