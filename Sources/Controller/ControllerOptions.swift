import Foundation

/// How `berth controller` runs.
package struct ControllerOptions: Sendable {
    /// The manifest repository: a URL or a path; the controller keeps its own bare clone of it.
    package var repository: String
    package var branch: String
    package var path: String
    /// Seconds between fetches.
    package var interval: TimeInterval
    /// Seconds between full reconciles of every environment (drift, self-heal).
    package var resync: TimeInterval
    /// host:port for the HTTP endpoints; nil for none.
    package var listen: String?
    /// Where the controller keeps its clone (and the local target's default state).
    package var stateDirectory: String
    /// Seconds a fetch may take before the pass reports it stuck (libgit2 has no timeout of its own).
    package var fetchTimeout: TimeInterval = 120
    /// Bounds on the HTTP server's clients.
    package var http = HTTPLimits()
    /// The webhook's HMAC secret; nil refuses every webhook call.
    package var webhookSecret: String?
    /// The bearer token the page and API need (see `APIAccess`); nil: they read openly.
    package var apiToken: String?
    package var pollInterval: TimeInterval
    /// A DynamoDB table for leases, when several replicas share the work.
    package var leaseTable: String?
    package var leaseDuration: TimeInterval = 60
    /// Seconds between looks at the registries of berth.yaml's `images:` (0: every pass).
    package var imageInterval: TimeInterval = 300
    /// The program the mirror's repacks run in (this executable, run with
    /// `MirrorRepackProcess.verb`); nil: on a thread of the controller's (tests, embedders).
    package var repackProgram: String?
    /// This replica's name in the lease table.
    package var identity: String = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(6))"

    package init(
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
