import Foundation
import Git
import Plan
import Records

/// Points where a test can stop an apply, as a crash would.
package struct ApplyHooks: Sendable {
    package var afterRegister: (@Sendable (String) async throws -> Void)?
    /// Runs before every write call; throwing stops the apply (a controller that lost its
    /// lease must write nothing).
    package var beforeWrite: (@Sendable () async throws -> Void)?

    package init(afterRegister: (@Sendable (String) async throws -> Void)? = nil, beforeWrite: (@Sendable () async throws -> Void)? = nil) {
        self.afterRegister = afterRegister
        self.beforeWrite = beforeWrite
    }
}
