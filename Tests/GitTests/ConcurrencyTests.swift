import BerthTestSupport
import Foundation
import Testing
@testable import Git

@Suite struct ConcurrencyTests {
    /// libgit2 objects are never shared between threads: each task opens its own `Repository`
    /// (the type is not Sendable, so the compiler refuses anything else).
    @Test func manyTasksEachWithTheirOwnHandle() async throws {
        let dir = ScratchFolder()
        let repo = try Repository.create(at: dir.path)
        try commitFiles(repo, ["env/prod/api.yaml": "0"])
        for i in 1...20 { try commitFiles(repo, ["env/prod/api.yaml": "\(i)", "other/\(i)": "x"]) }
        let path = dir.path
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let own = try Repository.open(at: path)
                    var total = 0
                    for _ in 0..<10 {
                        total += try own.history(from: own.resolve("main"), paths: ["env/prod"]).count
                        _ = try own.listTree(at: own.resolve("HEAD"))
                    }
                    return total
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 210, count: 8))
    }
}
