import Forge
import Foundation
import Manifests

extension ForgeSettings {
    /// Settings from berth.yaml's `forge:` and the environment. `kind` (a command's
    /// `--report github`) may stand in for `forge.type`; when both are given they must agree.
    package static func resolve(
        _ config: ForgeConfig?, kind: Kind? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ForgeSettings {
        let configured = config.flatMap { Kind(rawValue: $0.type) }
        if let kind, let configured, kind != configured {
            throw ForgeError("berth.yaml's forge is \(configured.rawValue), not \(kind.rawValue)")
        }
        guard let chosen = kind ?? configured else {
            throw ForgeError("berth.yaml has no forge: add `forge: {type: github, repository: owner/name}` (or gitlab)")
        }
        // A repository or API URL written for another forge does not apply to this one.
        let same = configured == chosen
        return try resolve(
            kind: chosen, repository: same ? config?.repository : nil, apiURL: same ? config?.apiURL : nil,
            labels: same ? config?.labels ?? [] : [], environment: environment)
    }
}
