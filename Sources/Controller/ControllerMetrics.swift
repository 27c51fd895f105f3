import AWS
import Prometheus
import Records
import Synchronization

/// The controller's Prometheus metrics (text format on /metrics), by Prometheus' conventions:
/// counters end in `_total`, durations are histograms, `service` is always an ECS service
/// (`aws_service` names an AWS API), and every series a dashboard or alert reads exists at zero
/// from the start, so `rate()` and `absent()` work before the first event. docs/controller.md
/// lists each with its type.
package final class ControllerMetrics: Sendable {
    package let registry = PrometheusCollectorRegistry()
    let calls: CallCounter
    /// The call counts already added to `berth_aws_calls_total`, so each render adds the rest.
    private let reportedCalls = Mutex<[CallCounter.Key: Int]>([:])

    static let durationBuckets: [Double] = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]
    static let leadTimeBuckets: [Double] = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 86_400, 604_800]

    init(calls: CallCounter) {
        self.calls = calls
        gauge("berth_build_info", "berth's version; always 1.", [("version", BerthVersion.current)]).set(to: 1)
        for result in ["accepted", "refused"] { _ = counter("berth_webhook", "Webhook deliveries by result.", [("result", result)]) }
        for result in ["ok", "error"] { _ = counter("berth_git_fetch", "Fetches of the manifest repository by result.", [("result", result)]) }
        _ = histogram("berth_git_fetch_duration", "Seconds each fetch took.", [], Self.durationBuckets)
        for result in ["done", "error"] { _ = counter("berth_review_teardowns", "Review environment teardowns by result.", [("result", result)]) }
        _ = counter("berth_git_repack", "Repacks of the controller's mirror.", [])
        _ = histogram("berth_git_repack_duration", "Seconds each repack took.", [], Self.durationBuckets)
        _ = counter("berth_http_connection_limit_reached", "Times the HTTP server reached its connection limit and paused accepting.", [])
        httpConnections(0)
        reviews([:])
    }

    /// Environments whose series exist already: priming runs once per name, not every pass.
    private let primed = Mutex<Set<String>>([])

    /// The series of each environment, at zero until their first event.
    func environments(_ names: [String]) {
        let new = primed.withLock { known in names.filter { known.insert($0).inserted } }
        for environment in new {
            for result in ["converged", "not_converged"] {
                _ = counter("berth_reconcile", "Reconcile passes by environment and result.", [("environment", environment), ("result", result)])
            }
            _ = histogram(
                "berth_reconcile_duration", "Seconds each pass over an environment took.", [("environment", environment)],
                Self.durationBuckets)
            _ = histogram(
                "berth_apply_duration", "Seconds from a service's apply to its outcome.", [("environment", environment)],
                Self.durationBuckets)
            for stage in ["applied", "steady"] {
                _ = histogram(
                    "berth_lead_time", "Seconds from the commit to its apply and to steady services.",
                    [("environment", environment), ("stage", stage)], Self.leadTimeBuckets)
            }
        }
    }

    func reconciled(_ environment: String, converged: Bool, seconds: Double) {
        counter(
            "berth_reconcile", "Reconcile passes by environment and result.",
            [("environment", environment), ("result", converged ? "converged" : "not_converged")]
        ).increment()
        gauge("berth_environment_converged", "1 when the environment's last pass converged.", [("environment", environment)])
            .set(to: converged ? 1.0 : 0.0)
        histogram(
            "berth_reconcile_duration", "Seconds each pass over an environment took.", [("environment", environment)],
            Self.durationBuckets
        ).record(seconds)
    }

    /// Seconds from the commit to berth applying it, and to every service being steady.
    func leadTime(_ environment: String, applied: Double, steady: Double) {
        let help = "Seconds from the commit to its apply and to steady services."
        histogram("berth_lead_time", help, [("environment", environment), ("stage", "applied")], Self.leadTimeBuckets).record(applied)
        histogram("berth_lead_time", help, [("environment", environment), ("stage", "steady")], Self.leadTimeBuckets).record(steady)
    }

    /// How long one service's apply took, from its start to its outcome.
    func applied(_ environment: String, seconds: Double) {
        histogram(
            "berth_apply_duration", "Seconds from a service's apply to its outcome.", [("environment", environment)],
            Self.durationBuckets
        ).record(seconds)
    }

    /// Each service's in-sync gauge, made once: the registry's lookup of a labelled series is
    /// slow to repeat for thousands of services every pass. With it, the self-heal policy its
    /// drift series was made for.
    private let inSyncGauges = Mutex<[String: (gauge: Gauge, selfHeal: Bool)]>([:])

    /// `selfHeal`: the environment's policy, which decides the one drift series that applies.
    func serviceInSync(_ environment: String, _ service: String, _ inSync: Bool, selfHeal: Bool) {
        let key = environment + "/" + service
        let known = inSyncGauges.withLock { $0[key] }
        let gauge =
            known?.gauge
            ?? gauge(
                "berth_service_in_sync", "1 when the service matches its manifest.",
                [("environment", environment), ("service", service)])
        if known?.selfHeal != selfHeal {
            inSyncGauges.withLock { $0[key] = (gauge, selfHeal) }
            // Present at zero from the service's first pass (and from the first pass after its
            // policy changed), so rate() sees the first drift: the series its policy makes
            // (healed or left), not both (a counter per service each).
            _ = driftCounter(environment, service, healed: selfHeal)
        }
        gauge.set(to: inSync ? 1 : 0)
    }

    /// A service found changed outside git: healed (self-heal on) or left (off).
    func drift(_ environment: String, _ service: String, healed: Bool) {
        driftCounter(environment, service, healed: healed).increment()
    }

    private func driftCounter(_ environment: String, _ service: String, healed: Bool) -> Counter {
        counter(
            "berth_drift", "Services found changed outside git, by whether berth put them back.",
            [("environment", environment), ("service", service), ("healed", healed ? "true" : "false")])
    }

    func fetched(ok: Bool, seconds: Double) {
        counter("berth_git_fetch", "Fetches of the manifest repository by result.", [("result", ok ? "ok" : "error")]).increment()
        histogram("berth_git_fetch_duration", "Seconds each fetch took.", [], Self.durationBuckets).record(seconds)
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
        histogram("berth_git_repack_duration", "Seconds each repack took.", [], Self.durationBuckets).record(seconds)
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

    /// The text exposition, with the AWS calls made since the last one added.
    package func render() -> String {
        let snapshot = calls.snapshot
        let added: [(CallCounter.Key, Int)] = reportedCalls.withLock { reported in
            defer { reported = snapshot }
            // A counter reset (benchmarks do it) starts the deltas again from zero.
            return snapshot.map { key, count in (key, count >= (reported[key] ?? 0) ? count - (reported[key] ?? 0) : count) }
        }
        for (key, count) in added {
            counter(
                "berth_aws_calls", "AWS API calls made, by AWS service, operation and outcome.",
                [("aws_service", key.service), ("operation", key.operation), ("outcome", key.outcome)]
            ).increment(by: Int64(count))
        }
        return registry.emitToString()
    }

    private func counter(_ name: String, _ help: String, _ labels: [(String, String)]) -> Counter {
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "total", helpText: help), labels: labels)
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)], unit: String = "") -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: unit, helpText: help), labels: labels)
    }

    private func histogram(_ name: String, _ help: String, _ labels: [(String, String)], _ buckets: [Double]) -> ValueHistogram {
        registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(metricName: name, unitName: "seconds", helpText: help),
            labels: labels, buckets: buckets)
    }
}
