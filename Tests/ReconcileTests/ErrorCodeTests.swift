import AWS
import BerthTestSupport
import Foundation
import Git
import Manifests
import Plan
import Testing

/// The one error model: every code is documented with its kind, and the errors of the layers
/// below (git, AWS, manifests) read as codes of it.
@Suite struct ErrorCodeTests {
    @Test func everyCodeIsInDocsWithItsKind() throws {
        let text = try String(contentsOfFile: checkoutFolder + "/docs/errors.md", encoding: .utf8)
        var documented: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            documented[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = cells[1]
        }
        for code in ErrorCode.allCases {
            #expect(documented[code.rawValue] == code.kind.rawValue, "\(code.rawValue) in docs/errors.md")
        }
        #expect(documented.count == ErrorCode.allCases.count, "docs/errors.md names a code berth does not have")
    }

    @Test func lowerLayersErrorsHaveCodes() {
        func code(_ error: any Error) -> String? { (error as? any KindedError)?.errorCode?.rawValue }
        #expect(code(GitError(code: .auth, message: "denied", operation: "fetch")) == "git-auth")
        #expect(code(GitError(code: .nonFastForward, message: "rejected", operation: "push")) == "conflict")
        #expect(code(GitError(code: .notFound, message: "none", operation: "open")) == "git")
        let aws = { (code: String, status: Int) in AWSError(code: code, message: "", status: status, service: "ecs", operation: "X") }
        #expect(code(aws("ThrottlingException", 400)) == "throttled")
        #expect(code(aws("AccessDeniedException", 400)) == "access-denied")
        #expect(code(aws("ConnectFailed", 0)) == "unavailable")
        #expect(code(aws("InternalFailure", 500)) == "unavailable")
        #expect(code(aws("InvalidParameterException", 400)) == "rejected")
        // Fixed outside git: never a reason to stall until a commit.
        #expect(ErrorKind.of(aws("InvalidParameterException", 400)) == .transient)
        #expect((aws("AccessDeniedException", 403) as any KindedError).next?.contains("IAM") == true)
        #expect(code(CredentialError.notFound("none")) == "credentials")
        #expect(ErrorKind.of(ReconcileError(.invalidManifests, "bad")) == .terminal)
        #expect(ErrorKind.of(RefusedError("frozen")) == .terminal)
        #expect(ErrorKind.of(CancellationError()) == .transient)
    }

    @Test func aNextStepEndsTheMessage() {
        let error = ReconcileError(.refused, "prod requires signed commits", next: "apply it from a local repository")
        #expect("\(error)" == "prod requires signed commits; apply it from a local repository")
        #expect(error.next == "apply it from a local repository" && error.kind == .terminal)
    }
}
