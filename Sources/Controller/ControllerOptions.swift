import Foundation

/// How `berth controller` runs.
public struct ControllerOptions: Sendable {
    /// The manifest repository: a URL or a path; the controller keeps its own bare clone of it.
    public var repository: String
    public var branch: String
    public var path: String
    /// Seconds between fetches.
    public var interval: TimeInterval
    /// Seconds between full reconciles of every environment (drift, self-heal).
    public var resync: TimeInterval
    /// host:port for the HTTP endpoints; nil for none.
    public var listen: String?
    /// Where the controller keeps its clone (and the local target's default state).
    public var stateDirectory: String
    /// Seconds a fetch may take before the pass reports it stuck (libgit2 has no timeout of its own).
    public var fetchTimeout: TimeInterval = 120
    /// Bounds on the HTTP server's clients.
    public var http = HTTPLimits()
    /// The webhook's HMAC secret; nil refuses every webhook call.
    public var webhookSecret: String?
    /// The bearer token the page and API need (see `APIAccess`); nil: they read openly.
    public var apiToken: String?
    public var pollInterval: TimeInterval
    /// A DynamoDB table for leases, when several replicas share the work.
    public var leaseTable: String?
    public var leaseDuration: TimeInterval = 60
    /// Seconds between looks at the registries of berth.yaml's `images:` (0: every pass).
    public var imageInterval: TimeInterval = 300
    /// This replica's name in the lease table.
    public var identity: String = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6))"

    public init(
        repository: String, branch: String = "main", path: String = "", interval: TimeInterval = 60, resync: TimeInterval = 300,
        listen: String? = nil, stateDirectory: String = ".berth/controller", webhookSecret: String? = nil, pollInterval: TimeInterval = 5
    ) {
        self.repository = repository
        self.branch = branch
        self.path = path
        self.interval = interval
        self.resync = resync
        self.listen = listen
        self.stateDirectory = stateDirectory
        self.webhookSecret = webhookSecret
        self.pollInterval = pollInterval
    }
}
