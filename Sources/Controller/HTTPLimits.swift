import Hummingbird
import HummingbirdCore

/// What one client may hold of the HTTP server. Without them, a thousand half-sent requests
/// held every file descriptor and /healthz, fetches and webhooks stopped (docs/controller.md).
package struct HTTPLimits: Sendable {
    /// Open connections at most; past it, new ones wait in the listen backlog until one closes.
    package var maxConnections = 256
    /// Seconds a connection may take to send a request's complete headers, counted from when
    /// it opened or from the last response: it bounds slow and idle clients alike.
    package var headerTimeout: Double = 10
    /// Seconds a request may take to arrive in full once its headers have (a body trickled a
    /// byte at a time included), on every route.
    package var bodyTimeout: Double = 10

    package init() {}
}

/// Counts open connections and pauses accepting at the limit, recording each time it does.
struct ConnectionLimit: AvailableConnectionsDelegate {
    let limit: Int
    let metrics: ControllerMetrics
    var open = 0

    mutating func connectionOpened() {
        open += 1
        metrics.httpConnections(open)
    }

    mutating func connectionClosed() {
        open -= 1
        metrics.httpConnections(open)
    }

    func isAcceptingNewConnections() -> Bool {
        guard open < limit else {
            metrics.httpConnectionLimitReached()
            return false
        }
        return true
    }
}
