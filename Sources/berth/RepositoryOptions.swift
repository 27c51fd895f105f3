import ArgumentParser
import Manifests

/// A local repository and the manifest root in it, for commands that write commits or read history.
struct RepositoryOptions: ParsableArguments {
    @Option(help: "The repository (a local path).")
    var repo: String = "."

    @Option(help: "The manifest root inside the repository.")
    var path: String = ""

    /// The top of the repository's work tree (or the repository itself when bare).
    var root: String {
        ManifestSource(repository: repo).repositoryRoot() ?? repo
    }
}

/// Where a release commit goes.
struct BranchOptions: ParsableArguments {
    @Option(help: "Commit on this new branch, made from the current one (for a pull request).")
    var branch: String?

    @Flag(help: "Push the branch to origin.")
    var push = false
}
