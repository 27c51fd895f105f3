import ArgumentParser
import Foundation
import Manifests
import Plan
import Reconcile
import Records

/// A duration flag: "10m", "90s", "1h30m" or plain seconds (named apart from the standard
/// library's `Duration`, and shown in --help as it was written).
struct DurationArgument: ExpressibleByArgument {
    let seconds: TimeInterval
    let text: String

    init?(argument: String) {
        guard let seconds = DurationText.seconds(argument) else { return nil }
        self.seconds = seconds
        text = argument
    }

    init(_ text: String) {
        self.init(argument: text)!
    }

    var defaultValueDescription: String { text }
}
