/// berth's release, as `--version`, `/version` and every record's deployer show it.
package enum BerthVersion {
    package static let current = "0.1.0"
}
