import Canonical
import Delivery
import Foundation
import Git
import Plan

/// A plan as the command line prints it: text like `terraform plan` (colored on a terminal),
/// or JSON for tools. Markdown for pull requests is `PlanMarkdown`.
enum PlanPrinter {
    struct Style: Sendable {
        var color: Bool
        init(color: Bool) { self.color = color }

        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    }

    static func text(_ plan: EnvironmentPlan, style: Style = Style(color: false)) -> String {
        var lines = [
            "berth plan: environment \(plan.environment) at \(plan.commit.map { ObjectID.short($0) } ?? "work tree") (target \(plan.target))", "",
        ]
        if let frozen = plan.frozen {
            lines += [style.paint("  ! \(plan.environment) is \(TerminalText.line(frozen)); apply will refuse", "31"), ""]
        }
        for service in plan.services {
            switch service.action {
            case .create:
                lines.append(
                    style.paint("  + \(service.service): create service \(service.serviceName) with task definition family \(service.family)", "32"))
            case .update:
                let drift = service.drift ? style.paint(" (drift: changed outside git)", "33") : ""
                lines.append(style.paint("  ~ \(service.service): update service \(service.serviceName)", "33") + drift)
                if !service.taskDefinitionChanges.isEmpty {
                    lines.append("      task definition \(service.family) (new revision):")
                    lines += service.taskDefinitionChanges.map { "        " + color($0, style) }
                }
                if !service.settingsChanges.isEmpty {
                    lines.append("      service settings:")
                    lines += service.settingsChanges.map { "        " + color($0, style) }
                }
            case .inSync:
                lines.append("  = \(service.service): in sync")
            }
        }
        for pruned in plan.pruned {
            lines.append(style.paint("  - \(pruned.service): delete service \(pruned.serviceName) (no longer in git; policy.prune)", "31"))
        }
        let counts = plan.counts
        lines.append("")
        lines.append(
            plan.hasChanges
                ? "Plan: \(counts.create) to create, \(counts.update) to update, \(counts.inSync) in sync"
                    + (plan.pruned.isEmpty ? "." : ", \(plan.pruned.count) to delete.")
                : "No changes. \(plan.environment) matches git (\(counts.inSync) service(s) in sync).")
        return lines.joined(separator: "\n")
    }

    /// Values come from git and from ECS: shown, never obeyed as control sequences, and a
    /// newline inside one cannot forge a line of the plan.
    static func color(_ change: FieldChange, _ style: Style) -> String {
        let text = TerminalText.line(change.description)
        switch change.kind {
        case .added: return style.paint(text, "32")
        case .removed: return style.paint(text, "31")
        case .changed: return style.paint(text, "33")
        }
    }

    static func json(_ plans: [EnvironmentPlan]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(plans.count == 1 ? AnyEncodable(plans[0]) : AnyEncodable(plans))) ?? Data(), as: UTF8.self)
    }
}
