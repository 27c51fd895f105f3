import Git
import Logging
import Records

/// Publishes the controller's records to the origin after each reconcile. One that cannot be
/// published now (no rights, the origin down) stays in the mirror and goes with the next.
struct RecordPublisher: Sendable {
    let recorder: NotesRecorder
    let remote: NotesRemote
    let logger: Logger

    func publish() async {
        do {
            if case .published(let commit) = try await recorder.publish(to: remote) {
                logger.debug("records published", metadata: ["notes": "\(commit.short)"])
            }
        } catch {
            logger.warning("records not published yet; the next pass tries again", metadata: ["error": "\(error)"])
        }
    }
}
