import CGit2

/// A commit's signature block and the exact bytes it signs (verification happens elsewhere).
package struct CommitSignature: Sendable, Equatable {
    /// The armored signature (`-----BEGIN PGP SIGNATURE-----` or `-----BEGIN SSH SIGNATURE-----`).
    package let signature: String
    /// The commit object without its signature header: what the signer signed.
    package let signedData: String

    package enum Format: Sendable { case openPGP, ssh, x509, unknown }

    package var format: Format {
        if signature.contains("BEGIN SSH SIGNATURE") { return .ssh }
        if signature.contains("BEGIN PGP SIGNATURE") { return .openPGP }
        if signature.contains("BEGIN SIGNED MESSAGE") { return .x509 }
        return .unknown
    }
}

extension Repository {
    /// The signature of `commit`, nil when it is unsigned.
    package func signature(of commit: ObjectID) throws(GitError) -> CommitSignature? {
        var signature = git_buf(), data = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&data)
        }
        var oid = commit.raw
        let rc = git_commit_extract_signature(&signature, &data, handle, &oid, nil)
        if rc == GIT_ENOTFOUND.rawValue { return nil }
        try check(rc, "read signature of \(commit.short)")
        return CommitSignature(signature: String(gitString: signature.ptr), signedData: String(gitString: data.ptr))
    }
}
