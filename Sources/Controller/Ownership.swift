import Blocking
import Foundation
import Logging
import Plan

/// Which environments this replica works on. Alone, all of them; with a lease table, those it
/// is the preferred live replica for and holds (or just took) the lease of, each write fenced
/// by a check that the lease is still held at the version taken.
actor Ownership {
    /// The controller's own thread: asking who owns what never waits for the cooperative pool.
    private nonisolated let executor: DedicatedExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    let leases: LeaseStore?
    let logger: Logger
    let now: @Sendable () -> Date
    private var held: [String: LeaseStore.Lease] = [:]
    /// The environments owned at the last pass, to log leases gained and lost.
    private var owning = Set<String>()

    init(leases: LeaseStore?, logger: Logger, now: @escaping @Sendable () -> Date, executor: DedicatedExecutor) {
        self.executor = executor
        self.leases = leases
        self.logger = logger
        self.now = now
    }

    /// Heartbeats, then takes or renews the leases of the environments this replica is the
    /// preferred one for, among `names`. None while the lease table cannot be reached.
    func owned(_ names: [String]) async -> Set<String> {
        guard let leases else { return Set(names) }
        do {
            try await leases.heartbeat(now: now())
            var live = try await leases.liveReplicas(now: now())
            if !live.contains(leases.identity) { live.append(leases.identity) }
            var owned = Set<String>()
            for name in names where LeaseStore.preferred(name, among: live) == leases.identity {
                if let lease = try await leases.acquire(name, now: now()) {
                    held[name] = lease
                    owned.insert(name)
                }
            }
            for name in owned.subtracting(owning) {
                logger.info("lease gained", metadata: ["event": "lease", "environment": "\(name)", "held": .stringConvertible(true)])
            }
            for name in owning.subtracting(owned) {
                logger.info("lease lost", metadata: ["event": "lease", "environment": "\(name)", "held": .stringConvertible(false)])
            }
            owning = owned
            return owned
        } catch {
            logger.warning("lease table unavailable; reconciling nothing this pass", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// With leases, a check before every write that this replica still holds the environment's
    /// lease at the version it took.
    func fence(_ name: String) -> (@Sendable () async throws -> Void)? {
        guard let leases, let lease = held[name] else { return nil }
        let now = self.now
        return {
            guard try await leases.stillHolds(lease, now: now()) else {
                throw ReconcileError(.leaseLost, "lost the lease on \(name) (version \(lease.version)); writing nothing")
            }
        }
    }
}
