import Foundation

/// Token buckets per API category, as AWS meters them (per account and Region): a call waits
/// for a token instead of being throttled. One limiter is shared by everything that calls the
/// same account and Region from this process.
package actor RateLimiter {
    package struct Bucket: Sendable {
        package let burst: Double
        package let perSecond: Double
        package init(burst: Double, perSecond: Double) {
            self.burst = burst
            self.perSecond = perSecond
        }
    }

    private struct State {
        var tokens: Double
        var updated: Date
    }

    let categories: [String: Bucket]
    let categoryOf: @Sendable (String) -> String?
    private var states: [String: State] = [:]
    let now: @Sendable () -> Date

    package init(categories: [String: Bucket], categoryOf: @escaping @Sendable (String) -> String?, now: @escaping @Sendable () -> Date = { Date() })
    {
        self.categories = categories
        self.categoryOf = categoryOf
        self.now = now
    }

    /// Waits until `operation` may be sent (operations outside every category go at once).
    package func acquire(_ operation: String) async throws {
        guard let category = categoryOf(operation), let bucket = categories[category] else { return }
        while true {
            let time = now()
            var state = states[category] ?? State(tokens: bucket.burst, updated: time)
            state.tokens = min(bucket.burst, state.tokens + time.timeIntervalSince(state.updated) * bucket.perSecond)
            state.updated = time
            if state.tokens >= 1 {
                state.tokens -= 1
                states[category] = state
                return
            }
            states[category] = state
            try await Task.sleep(nanoseconds: UInt64((1 - state.tokens) / bucket.perSecond * 1e9))
        }
    }

    /// At least how long sending `operations` (name: count) takes within the buckets, starting
    /// full: the slowest category's wait. Zero with the buckets off.
    package nonisolated func minimumDuration(of operations: [String: Int]) -> TimeInterval {
        var perCategory: [String: Int] = [:]
        for (operation, count) in operations {
            if let category = categoryOf(operation) { perCategory[category, default: 0] += count }
        }
        return perCategory.compactMap { category, count in
            categories[category].map { max(0, (Double(count) - $0.burst) / $0.perSecond) }
        }.max() ?? 0
    }

    /// ECS's documented request throttles ("Request throttling for the Amazon ECS API"), times
    /// `scale` for an account whose quotas were raised; `scale` 0 turns the buckets off (an
    /// endpoint that is not AWS, such as a test server).
    package static func ecs(scale: Double = 1) -> RateLimiter {
        let documented: [String: Bucket] = [
            "task-definition-modify": Bucket(burst: 20, perSecond: 1),
            "task-definition-read": Bucket(burst: 50, perSecond: 20),
            "service-modify": Bucket(burst: 50, perSecond: 5),
            "service-read": Bucket(burst: 100, perSecond: 20),
            "service-deployments": Bucket(burst: 50, perSecond: 20),
            "cluster-resource-read": Bucket(burst: 100, perSecond: 20),
            "cluster-resource-modify": Bucket(burst: 100, perSecond: 40),
            "tag-modify": Bucket(burst: 20, perSecond: 10),
            "tag-read": Bucket(burst: 50, perSecond: 20),
            "cluster-read": Bucket(burst: 50, perSecond: 20),
        ]
        let categories = scale > 0 ? documented.mapValues { Bucket(burst: $0.burst * scale, perSecond: $0.perSecond * scale) } : [:]
        return RateLimiter(categories: categories) { operation in
            switch operation {
            case "RegisterTaskDefinition", "DeregisterTaskDefinition": return "task-definition-modify"
            case "DescribeTaskDefinition", "ListTaskDefinitions", "ListTaskDefinitionFamilies": return "task-definition-read"
            case "CreateService", "UpdateService", "DeleteService": return "service-modify"
            case "DescribeServices", "ListServices": return "service-read"
            case "ListServiceDeployments", "DescribeServiceDeployments": return "service-deployments"
            case "DescribeTasks", "ListTasks": return "cluster-resource-read"
            case "RunTask", "StopTask": return "cluster-resource-modify"
            case "TagResource": return "tag-modify"
            case "ListTagsForResource": return "tag-read"
            case "DescribeClusters", "ListClusters", "CreateCluster": return "cluster-read"
            default: return nil
            }
        }
    }
}
