import Foundation
import Git

/// What writing one note costs as the notes grow: git's fan-out layout keeps every write to a
/// few trees of at most 256 entries, where the flat tree libgit2 writes grows with every note.
struct NotesBenchmark {
    let sizes: [Int]
    /// Notes timed at each size, one notes commit each.
    let writes = 200

    func run() throws -> [Figure] {
        var figures: [Figure] = []
        for size in sizes {
            let folder = BenchFolder()
            defer { folder.remove() }
            let repo = try Repository.create(at: folder.path, bare: true)
            // The notes already there, written a thousand per commit.
            var written = 0
            while written < size {
                let batch = min(1000, size - written)
                var notes: [ObjectID: String?] = [:]
                for index in written..<written + batch {
                    notes[try repo.writeBlob(Array("object \(index)".utf8))] = "{\"berth\": 2, \"environments\": {}}\n"
                }
                try repo.writeNotes(notes, author: benchAuthor)
                written += batch
            }
            var targets: [ObjectID] = []
            for index in 0..<writes { targets.append(try repo.writeBlob(Array("new object \(index)".utf8))) }
            let started = Date()
            for target in targets { try repo.writeNotes([target: "{\"berth\": 2, \"environments\": {}}\n"], author: benchAuthor) }
            let perWrite = Date().timeIntervalSince(started) / Double(writes)
            let root = try repo.listTree(at: try repo.referenceTarget(Repository.berthNotesRef)!).filter { !$0.path.contains("/") }.count
            figures.append(
                Figure(
                    name: "8 write one note", inputs: "\(size) notes already, \(writes) writes",
                    value: String(format: "%.2f ms (root tree %d entries)", perWrite * 1000, root), seconds: perWrite))
        }
        return figures
    }
}
