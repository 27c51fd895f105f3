import Foundation

/// The checkout's root folder (Package.swift, docs/).
package let checkoutFolder: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.standardizedFileURL.path
}()

/// The shared folder beside the checkout (fixtures, conformance suites).
package let sharedFolder: String = URL(fileURLWithPath: checkoutFolder).appendingPathComponent("../shared").standardizedFileURL.path

/// A temporary folder removed when released.
package final class ScratchFolder: Sendable {
    package let path: String

    package init() {
        path = NSTemporaryDirectory() + "berth-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A path inside the folder.
    package func sub(_ name: String) -> String { path + "/" + name }

    @discardableResult
    package func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}
