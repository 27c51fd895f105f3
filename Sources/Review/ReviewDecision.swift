import Foundation
import Manifests

/// What to do with review environments this pass, from the branches and what the target
/// holds. Pure: the controller acts on it, `berth status` shows it.
package struct ReviewDecision: Sendable {
    package struct Apply: Sendable {
        package let branch: ReviewBranch
        package let identity: ReviewIdentity
        /// A new life (nothing of it exists yet), as opposed to an update of a live one.
        package let isNew: Bool
    }

    package struct Teardown: Sendable {
        package let instance: ReviewInstance
        package let reason: String
    }

    package struct Waiting: Sendable {
        package let branch: ReviewBranch
        package let reason: String
    }

    /// What the target held when the decision was made.
    package let instances: [ReviewInstance]
    package var applies: [Apply] = []
    package var teardowns: [Teardown] = []
    package var waiting: [Waiting] = []
    /// Lives whose services ECS is still removing (DRAINING): nothing to do but wait.
    package var draining: [ReviewInstance] = []

    package init(
        template: ReviewTemplate, branches: [ReviewBranch], instances: [ReviewInstance], tracked: String,
        now: Date = Date(), newInstance: (String) -> String = { _ in ReviewIdentity.newInstance() }
    ) {
        self.instances = instances
        // One branch per name: the first by name keeps it, the others wait and say why.
        var byName: [String: ReviewBranch] = [:]
        for branch in branches.sorted(by: { $0.branch < $1.branch }) {
            if let owner = byName[branch.name] {
                waiting.append(
                    Waiting(branch: branch, reason: "its environment name \(branch.name) is already branch \(owner.branch)'s; rename the branch"))
            } else {
                byName[branch.name] = branch
            }
        }
        var kept = Set<String>()
        var leaving = Set<String>()
        for instance in instances {
            let branch = byName[instance.name]
            if instance.isDraining {
                draining.append(instance)
            } else if let reason = instance.teardown {
                teardowns.append(Teardown(instance: instance, reason: reason))
            } else if let branch, branch.branch == instance.branch, branch.wanted, !kept.contains(instance.name) {
                kept.insert(instance.name)
                applies.append(Apply(branch: branch, identity: instance.identity(base: template.from), isNew: false))
                continue
            } else {
                let reason: String
                if let branch, branch.branch == instance.branch, let why = branch.unwantedReason {
                    reason = "branch \(instance.branch) \(why)"
                } else if let branch, branch.branch == instance.branch {
                    reason = "a second life of \(instance.name) (another one is kept)"
                } else if let branch, branch.branch != instance.branch {
                    reason = "its name now belongs to branch \(branch.branch)"
                } else {
                    reason = "branch \(instance.branch) was deleted"
                }
                teardowns.append(Teardown(instance: instance, reason: reason))
            }
            leaving.insert(instance.name)
        }
        // Who holds a slot, and since when its branch is idle.
        var holders = instances.filter { kept.contains($0.name) }.map { ($0.name, byName[$0.name]!.lastCommit) }
        let fresh = byName.values.filter { $0.wanted && !kept.contains($0.name) }.sorted { ($0.lastCommit, $0.branch) < ($1.lastCommit, $1.branch) }
        for branch in fresh {
            if leaving.contains(branch.name) {
                waiting.append(Waiting(branch: branch, reason: "the previous \(branch.name) is being torn down; it is rebuilt afterwards"))
                continue
            }
            if let maximum = template.maxEnvironments, holders.count >= maximum {
                waiting.append(Waiting(branch: branch, reason: Self.overLimit(maximum, holders: holders, now: now)))
                continue
            }
            holders.append((branch.name, branch.lastCommit))
            applies.append(
                Apply(
                    branch: branch,
                    identity: ReviewIdentity(
                        name: branch.name, branch: branch.branch, instance: newInstance(branch.name),
                        base: template.from, created: now), isNew: true))
        }
        applies.sort { $0.identity.name < $1.identity.name }
        waiting.sort { $0.branch.branch < $1.branch.branch }
    }

    /// Says which environments hold the slots and which has been idle longest: berth never
    /// removes one to make room; people decide.
    static func overLimit(_ maximum: Int, holders: [(name: String, lastCommit: Date)], now: Date) -> String {
        var text = "\(holders.count) of \(maximum) review environments exist (\(holders.map(\.name).sorted().joined(separator: ", ")))"
        if let idlest = holders.min(by: { $0.lastCommit < $1.lastCommit }) {
            text += "; the longest idle is \(idlest.name) (last commit \(DurationText.format(now.timeIntervalSince(idlest.lastCommit))) ago)"
        }
        return text + ". Delete or merge a branch, or raise review.maxEnvironments"
    }
}
