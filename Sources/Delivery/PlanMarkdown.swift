import Git
import Plan

/// A plan as a pull request comment shows it: a table of services, each change in a folded
/// diff. Values from git and ECS are escaped as on a terminal.
package enum PlanMarkdown {
    package static func render(_ plan: EnvironmentPlan) -> String {
        var lines = [
            "### berth plan: `\(plan.environment)`", "",
            "Commit `\(plan.commit.map { ObjectID.short($0) } ?? "work tree")`, target `\(plan.target)`.", "",
        ]
        if let frozen = plan.frozen { lines += ["> **\(plan.environment) is \(TerminalText.line(frozen)); apply will refuse.**", ""] }
        lines += ["| service | action | changes |", "|---|---|---|"]
        for service in plan.services {
            let changes = service.taskDefinitionChanges.count + service.settingsChanges.count
            let action = service.action.rawValue + (service.drift ? " (drift)" : "")
            lines.append("| \(service.service) | \(action) | \(service.action == .update ? "\(changes) field(s)" : "") |")
        }
        for pruned in plan.pruned { lines.append("| \(pruned.service) | delete (no longer in git) | |") }
        for service in plan.services where service.action == .update {
            lines += ["", "<details><summary>\(service.service)</summary>", "", "```diff"]
            lines += (service.taskDefinitionChanges + service.settingsChanges).map { TerminalText.line($0.description) }
            lines += ["```", "</details>"]
        }
        let counts = plan.counts
        lines += [
            "",
            plan.hasChanges
                ? "**\(counts.create) to create, \(counts.update) to update, \(counts.inSync) in sync"
                    + (plan.pruned.isEmpty ? ".**" : ", \(plan.pruned.count) to delete.**") : "**No changes.**",
        ]
        return lines.joined(separator: "\n")
    }
}
