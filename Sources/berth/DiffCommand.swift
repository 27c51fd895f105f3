import ArgumentParser
import Delivery
import Forge
import Foundation
import Manifests
import Plan
import Records

/// `berth diff --from A --to B`: the promotion preview without the branch options.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What promoting one environment into another would change, and what the target would then plan (read-only).")

    @OptionGroup var promotion: PromotionOptions

    func run() async throws {
        try await promotion.run(dryRun: true)
    }
}
