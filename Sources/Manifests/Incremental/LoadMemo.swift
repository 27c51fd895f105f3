import Git
import Synchronization

/// What one load computed, piece by piece, with the files each piece read: a later load of
/// another commit reuses every piece whose files are the same (by git object id) and computes
/// only the rest. Pieces are a service's base, an overlay, and one service rendered in one
/// environment; the rest of a load (berth.yaml, environment.yaml, the checks across them) is
/// small and done every time.
struct LoadMemo: Sendable {
    /// A piece's result and everything it depends on. A class: the memo holds one per service
    /// and overlay, in dictionaries whose spare slots would each hold a whole piece inline, and
    /// every load hands the unchanged ones to the next memo.
    final class Piece<Value: Sendable>: Sendable {
        let value: Value
        let diagnostics: Diagnostics
        /// Each path read, and what git held there (nil: nothing).
        let reads: [String: ManifestFiles.Version?]
        /// Changes whenever the piece is computed again: what depends on it compares stamps.
        let stamp: UInt64

        init(value: Value, diagnostics: Diagnostics, reads: [String: ManifestFiles.Version?], stamp: UInt64) {
            self.value = value
            self.diagnostics = diagnostics
            self.reads = reads
            self.stamp = stamp
        }

        func holds(in files: ManifestFiles) -> Bool {
            guard let versions = files.versions else { return false }
            return reads.allSatisfy { versions[$0.key] == $0.value }
        }
    }

    /// One service rendered in one environment, and what it was rendered from (stamps).
    struct Rendering: Sendable {
        let context: UInt64
        let base: UInt64
        let overlay: UInt64
        /// The overlay's path, to find the overlay again.
        let overlayPath: String
        let result: RenderedService?
        let diagnostics: Diagnostics
    }

    var services: [String: Piece<ServiceBase?>] = [:]
    /// By the overlay's path.
    var overlays: [String: Piece<Overlay?>] = [:]
    /// By environment and service name.
    var renderings: [RenderKey: Rendering] = [:]
    /// Each environment's render context, stamped: renderings compare the stamp.
    var contexts: [String: (context: RenderContext, stamp: UInt64)] = [:]
    /// Each environment's variables as expanded for its renderings (`VariableExpansion`): only
    /// a whole load reads environments, so a patch renders with what the last one expanded.
    var expansions: [String: [String: String]] = [:]
    /// Every file parsed, by path, with the version parsed.
    var parsed: [String: Parsed] = [:]
    /// berth.yaml's `allowUnknownFields` when the pieces were checked.
    var allowUnknownFields = false
    /// What the load read outside the pieces: a change to any of it needs a whole load.
    var outside: Set<String> = []
    /// Which service bases read each path (their own files, and a shared task definition).
    var readers: [String: Readers] = [:]

    /// The services that read one path: nearly always one, kept without a set of its own
    /// (a set per path was 0.25 MiB at 1,000 services).
    enum Readers: Sendable {
        case one(String)
        case many(Set<String>)

        var names: Set<String> {
            switch self {
            case .one(let name): [name]
            case .many(let names): names
            }
        }
    }

    /// `readers`, made again from the service pieces.
    mutating func indexReaders() {
        var sets: [String: Set<String>] = [:]
        for (name, piece) in services {
            for path in piece.reads.keys { sets[path, default: []].insert(name) }
        }
        readers = sets.mapValues { $0.count == 1 ? .one($0.first!) : .many($0) }
    }

    /// `environment`'s expansion, made once and kept for the patches that follow.
    mutating func expansion(of environment: Environment) -> [String: String] {
        if let known = expansions[environment.name] { return known }
        let made = ServiceRenderer.expansion(of: environment)
        expansions[environment.name] = made
        return made
    }

    /// Notes that service `name` read `path`.
    mutating func noteReader(_ name: String, of path: String) {
        switch readers[path] {
        case nil: readers[path] = .one(name)
        case .one(let other)?: if other != name { readers[path] = .many([other, name]) }
        case .many?:
            // Taken out first, so the set is not shared while it grows (a shared task
            // definition read by thousands of services).
            guard case .many(var names)? = readers.removeValue(forKey: path) else { return }
            names.insert(name)
            readers[path] = .many(names)
        }
    }

    struct Parsed: Sendable {
        let version: ManifestFiles.Version
        let node: Node?
        let diagnostics: Diagnostics
    }

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

/// Parsed files shared by every copy of one load (pieces compute on copies of it).
final class ParseTable {
    var old: [String: LoadMemo.Parsed] = [:]
    var new: [String: LoadMemo.Parsed] = [:]
}

/// The paths a piece reads while it is computed, so the memo knows what it depends on.
final class ReadLog {
    private var paths: Set<String>?
    /// What the load read outside any piece (berth.yaml, environment.yaml, freeze files).
    private(set) var outside: Set<String> = []

    /// Whether a piece is being computed (its result is kept as a whole: its files need not be).
    var recording: Bool { paths != nil }

    func note(_ path: String) {
        if paths == nil { outside.insert(path) } else { paths!.insert(path) }
    }

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
package struct LoadWork: Sendable, Equatable {
    package var read = 0
    package var rendered = 0

    package init(read: Int = 0, rendered: Int = 0) {
        self.read = read
        self.rendered = rendered
    }
}
