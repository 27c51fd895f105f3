import Foundation

/// Keeps credentials until shortly before they expire, and refreshes them one at a time: callers
/// that arrive during a refresh wait for it instead of starting their own.
package actor CachingCredentialProvider: CredentialProvider {
    let source: any CredentialProvider
    let refreshMargin: TimeInterval
    let now: @Sendable () -> Date
    private var cached: Credentials?
    private var refreshing: Task<Credentials, any Error>?

    package init(_ source: any CredentialProvider, refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }) {
        self.source = source
        self.refreshMargin = refreshMargin
        self.now = now
    }

    package func credentials() async throws -> Credentials {
        if let cached, !cached.expires(within: refreshMargin, of: now()) { return cached }
        if let refreshing { return try await refreshing.value }
        let task = Task { try await source.credentials() }
        refreshing = task
        defer { refreshing = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh
    }
}
