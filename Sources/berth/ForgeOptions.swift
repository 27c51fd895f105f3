import ArgumentParser
import Delivery
import Forge
import Foundation
import Manifests

/// The forge berth.yaml names, connected with the token from the environment.
enum ForgeOptions {
    /// From the manifests at the repository's HEAD.
    static func forge(root: String, path: String, kind: ForgeSettings.Kind? = nil) throws -> any Forge {
        let config = try? ManifestLoader().load(ManifestSource(repository: root, path: path).read()).config?.forge
        return try forge(config: config, kind: kind)
    }

    static func forge(config: ForgeConfig?, kind: ForgeSettings.Kind? = nil) throws -> any Forge {
        do {
            return makeForge(try ForgeSettings.resolve(config, kind: kind))
        } catch {
            throw CLIError("\(error)")
        }
    }
}

extension ForgeOptions {
    static func print(_ pull: PullRequest, opened: Bool, branch: String) {
        Swift.print("Pushed \(branch) to origin.")
        let gitlab = pull.url.contains("/-/merge_requests/")
        Swift.print(
            "\(opened ? "Opened" : "Updated") \(gitlab ? "merge request !" : "pull request #")\(pull.number) into \(pull.baseBranch): \(pull.url)")
    }
}

extension ForgeSettings.Kind: ExpressibleByArgument {}
