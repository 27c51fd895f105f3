import Foundation

/// The AWS SDKs' standard retry mode: a bounded number of attempts, exponential backoff with
/// full jitter (a random delay up to `base × 2^attempt`, capped).
package struct RetryPolicy: Sendable {
    package var maxAttempts: Int
    package var baseDelay: TimeInterval
    package var maxDelay: TimeInterval
    /// Per-attempt timeout.
    package var timeout: TimeInterval

    package init(maxAttempts: Int = 5, baseDelay: TimeInterval = 0.5, maxDelay: TimeInterval = 20, timeout: TimeInterval = 30) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.timeout = timeout
    }

    /// The delay before attempt `attempt + 1` (attempt counts from 1), given a random number in [0, 1).
    package func delay(afterAttempt attempt: Int, random: Double) -> TimeInterval {
        min(maxDelay, random * baseDelay * pow(2, Double(attempt - 1)))
    }
}
