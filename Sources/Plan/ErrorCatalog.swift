import AWS
import ECS
import Git
import Manifests
import Records

// What the errors of the layers below berth's pipeline mean, in the one error model: each
// gets a code, a kind and, where berth knows one, a next step. Their own modules stay free of
// the model. (The forge's errors are given theirs in Delivery, which alone imports Forge.)

extension GitError: KindedError {
    package var errorCode: ErrorCode? {
        switch code {
        case .auth, .certificate: return .gitAuth
        case .timeout: return .gitTimeout
        case .nonFastForward, .modified, .locked, .conflict, .exists: return .conflict
        default: return .git
        }
    }

    package var next: String? {
        switch code {
        case .auth: return "check the credentials berth uses for the origin (docs/controller.md: Private repositories)"
        case .certificate: return "check the origin's certificate, or the CA berth is told to trust (docs/controller.md: Private repositories)"
        default: return nil
        }
    }
}

extension AWSError: KindedError {
    /// Codes AWS answers when the caller is not who it says, or may not do what it asked.
    static let deniedCodes: Set<String> = [
        "AccessDenied", "AccessDeniedException", "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken",
        "ExpiredTokenException", "SignatureDoesNotMatch", "InvalidSignatureException", "MissingAuthenticationToken",
        "IncompleteSignature", "AuthFailure",
    ]

    // Every AWS error is transient: permissions, clusters and quotas are fixed outside git, so
    // the controller keeps trying with backoff rather than waiting for a commit.
    package var kind: ErrorKind { .transient }

    package var errorCode: ErrorCode? {
        if isThrottling { return .throttled }
        if Self.deniedCodes.contains(code) || status == 401 || status == 403 { return .accessDenied }
        if status == 0 || isRetryable { return .unavailable }
        return .rejected
    }

    package var next: String? {
        switch errorCode {
        case .accessDenied: return "check the IAM role or credentials berth runs with (docs/aws.md: IAM permissions)"
        default: return nil
        }
    }
}

extension CredentialError: KindedError {
    package var errorCode: ErrorCode? { .credentials }
    package var next: String? { "give berth AWS credentials: variables, a profile, or a role (docs/aws.md: Credentials)" }
}

extension ECSClientError: KindedError {
    package var errorCode: ErrorCode? { .rejected }
}

extension Deadline.Passed: KindedError {
    package var errorCode: ErrorCode? { .unavailable }
}

extension ManifestError: KindedError {
    package var errorCode: ErrorCode? { .invalidManifests }
    // Read again next time: a repository being written can be unreadable for a moment.
    package var kind: ErrorKind { .transient }
}

extension Diagnostic: KindedError {
    package var errorCode: ErrorCode? { .invalidManifests }
    // Like ManifestError: a file read while being written reads differently next time.
    package var kind: ErrorKind { .transient }
    package var next: String? { "run `berth validate`" }
}

extension NotesError: KindedError {
    package var errorCode: ErrorCode? { .records }
}
