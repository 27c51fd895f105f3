import ArgumentParser
import Manifests

/// Where the manifests come from; shared by every command that reads them: a commit's, or with
/// `--worktree` the files on disk.
struct ManifestOptions: ParsableArguments {
    @OptionGroup var commit: CommitManifestOptions

    @Flag(help: "Read the files in the work tree, including uncommitted edits.")
    var worktree = false

    var repo: String { commit.repo }
    var path: String { commit.path }
    var ref: String? { commit.ref }

    var source: ManifestSource { ManifestSource(repository: repo, path: path, ref: ref, worktree: worktree) }

    func load() throws -> LoadedManifests {
        if worktree && ref != nil {
            throw ValidationError("--ref and --worktree exclude each other")
        }
        let files: ManifestFiles
        do {
            files = try source.read()
        } catch {
            throw CLIError("\(error)")
        }
        return ManifestLoader().load(files)
    }
}

/// The manifests of a commit: the repository, the root in it, the revision. Alone, for
/// commands that act on what is committed (apply), which would refuse `--worktree`.
struct CommitManifestOptions: ParsableArguments {
    @Option(help: "The manifest repository: a path (default: the current directory) or a URL.")
    var repo: String = "."

    @Option(help: "The manifest root inside the repository.")
    var path: String = ""

    @Option(help: "The revision to read (branch, tag, sha, main~2). Default: HEAD.")
    var ref: String?

    /// The same choice as the shared options, for code that reads manifests.
    var manifests: ManifestOptions {
        get throws { try ManifestOptions.parse(["--repo", repo, "--path", path] + (ref.map { ["--ref", $0] } ?? [])) }
    }
}

/// An error printed as `error: message` with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
