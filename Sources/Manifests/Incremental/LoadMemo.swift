import Git
import Synchronization

/// What one load computed, piece by piece, with the files each piece read: a later load of
/// another commit reuses every piece whose files are the same (by git object id) and computes
/// only the rest. Pieces are a service's base, an overlay, and one service rendered in one
/// environment; the rest of a load (berth.yaml, environment.yaml, the checks across them) is
/// small and done every time.
struct LoadMemo: Sendable {
    /// A piece's result and everything it depends on.
    struct Piece<Value: Sendable>: Sendable {
        let value: Value
        let diagnostics: Diagnostics
        /// Each path read, and what git held there (nil: nothing).
        let reads: [String: ManifestFiles.Version?]
        /// Changes whenever the piece is computed again: what depends on it compares stamps.
        let stamp: UInt64

        func holds(in files: ManifestFiles) -> Bool {
            guard let versions = files.versions else { return false }
            return reads.allSatisfy { versions[$0.key] == $0.value }
        }
    }

    /// One service rendered in one environment, and what it was rendered from.
    struct Rendering: Sendable {
        let context: RenderContext
        let base: UInt64
        let overlay: UInt64
        let result: RenderedService?
        let diagnostics: Diagnostics
    }

    var services: [String: Piece<ServiceBase?>] = [:]
    /// By the overlay's path.
    var overlays: [String: Piece<Overlay?>] = [:]
    /// By environment and service name.
    var renderings: [RenderKey: Rendering] = [:]

    struct RenderKey: Hashable, Sendable {
        let environment: String
        let service: String
    }

    private static let counter = Atomic<UInt64>(1)

    /// A number no other piece in this process has.
    static func stamp() -> UInt64 { counter.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// The part of an environment a service's rendering reads: a change anywhere else in
/// environment.yaml (a freeze, waves, notifications, another overlay) renders nothing again.
struct RenderContext: Equatable, Sendable {
    let name: String
    let target: Target
    let vars: [String: String]
    let release: [String: String]
    let policy: Policy
    let review: ReviewIdentity?

    init(_ environment: Environment) {
        name = environment.name
        target = environment.target
        vars = environment.vars
        release = environment.release
        policy = environment.policy
        review = environment.review
    }
}

/// The paths a piece reads while it is computed, so the memo knows what it depends on.
final class ReadLog {
    private var paths: Set<String>?

    func note(_ path: String) { paths?.insert(path) }

    /// Runs `body`, returning what it read alongside its result.
    func recording<T>(_ files: ManifestFiles, _ body: () -> T) -> (T, [String: ManifestFiles.Version?]) {
        let outer = paths
        paths = []
        let result = body()
        let read = paths ?? []
        paths = outer.map { $0.union(read) }
        return (result, Dictionary(uniqueKeysWithValues: read.map { ($0, files.versions?[$0]) }))
    }
}

/// What a load computed rather than reused: base and overlay files read, services rendered.
public struct LoadWork: Sendable, Equatable {
    public var read = 0
    public var rendered = 0
}
