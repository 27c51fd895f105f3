import Foundation
import Git

/// Where records are published and read from: the manifest repository's origin.
package struct NotesRemote: Sendable {
    /// A URL (ssh, https, file) or a local path.
    package let url: String
    package let credentials: RemoteCredentials?

    package init(url: String, credentials: RemoteCredentials? = nil) {
        self.url = url
        self.credentials = credentials
    }

    /// The `origin` remote of the repository at `path`, nil when it has none.
    package static func origin(of path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> NotesRemote? {
        guard let repo = try? Repository.discover(from: path), let url = repo.remoteURL("origin") else { return nil }
        // A relative path is relative to the repository that names it, as git reads it.
        let resolved =
            url.contains("://") || url.hasPrefix("/") || url.contains("@")
            ? url : URL(fileURLWithPath: url, relativeTo: URL(fileURLWithPath: repo.path)).standardizedFileURL.path
        return NotesRemote(url: resolved, credentials: RemoteCredentials.fromEnvironment(environment))
    }

    /// The folder of a remote on this machine (a path or a file:// URL), nil for ssh and https:
    /// such a remote's notes ref is moved by compare-and-swap in place, which libgit2's push to
    /// a local repository (a forced update) would not do.
    package var localPath: String? {
        if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
        if url.contains("://") { return nil }
        if !url.hasPrefix("/"), url.contains(":") { return nil }
        return url
    }

    /// The URL with any credentials in it left out, for messages.
    package var display: String { RemoteCredentials.withoutUserinfo(url) }
}
