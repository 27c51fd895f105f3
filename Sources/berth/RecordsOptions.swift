import ArgumentParser
import Foundation
import Git
import Records

/// How a command shares records with the team: the origin's records are merged before reading,
/// and what the command records is published to the origin before it returns.
struct RecordsOptions: ParsableArguments {
    @Flag(help: "Keep this command's records in this clone instead of publishing them to origin.")
    var noPublish = false

    /// The recorder for a repository, stamping records with the person running berth.
    static func recorder(root: String) -> NotesRecorder {
        NotesRecorder(repositoryPath: root, deployer: .person(repositoryPath: root))
    }

    /// Merges the origin's records into the clone's before they are read. Offline, the clone's
    /// own records are used, and berth says so.
    static func sync(_ recorder: NotesRecorder) async {
        guard let remote = NotesRemote.origin(of: recorder.repositoryPath) else { return }
        do {
            try await recorder.sync(from: remote)
        } catch {
            FileHandle.standardError.write(
                Data("warning: could not read the records on origin (\(remote.display)): \(error); using this clone's\n".utf8))
        }
    }

    /// Publishes the clone's records; the line to print, nil when there was nothing to say.
    /// `wrote`: this command recorded something (otherwise a clone without origin says nothing).
    func publish(_ recorder: NotesRecorder, wrote: Bool) async -> String? {
        guard !noPublish else {
            return wrote ? "Records kept in this clone (--no-publish); the next publish from it sends them." : nil
        }
        guard let remote = NotesRemote.origin(of: recorder.repositoryPath) else {
            return wrote ? "Records kept in this clone: it has no origin remote to publish them to." : nil
        }
        do {
            switch try await recorder.publish(to: remote) {
            case .published(let commit): return "Records published to origin (\(remote.display), notes \(commit.short))."
            case .upToDate, .nothing: return nil
            }
        } catch {
            return "warning: records kept in this clone, not yet on origin: \(error). The next publish sends them."
        }
    }
}
