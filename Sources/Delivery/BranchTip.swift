import Git
import Manifests

/// The branch a release change is made on, and the manifests at its tip.
struct BranchTip {
    let repo: Repository
    /// The checked-out branch, without `refs/heads/`.
    let branch: String
    let tip: ObjectID
    let files: ManifestFiles
    let loaded: LoadedManifests

    static func open(_ repositoryPath: String, manifestPath: String, purpose: String) throws -> BranchTip {
        let repo = try Repository.discover(from: repositoryPath)
        guard let head = try repo.headBranch() else {
            throw PromotionError("HEAD is detached; check out the branch to \(purpose) on", code: .invalidArgument)
        }
        let tip = try repo.resolve(head)
        let files = try ManifestFiles.read(repository: repo, commit: tip, path: manifestPath)
        return BranchTip(
            repo: repo, branch: String(head.dropFirst("refs/heads/".count)), tip: tip, files: files,
            loaded: ManifestLoader().load(files))
    }
}
