import Foundation
import Git
import Manifests
import Plan
import Review

/// `berth status` as a table per environment, or as JSON.
enum StatusPrinter {
    static func text(_ statuses: [EnvironmentStatus], now: Date = Date()) -> String {
        var out: [String] = []
        for status in statuses {
            out.append(
                "\(status.environment) (\(status.target)) at \(status.commit.map { ObjectID.short($0) } ?? "-")"
                    + (status.frozen.map { "  FROZEN: \($0)" } ?? ""))
            var rows = [["SERVICE", "STATE", "REVISION", "IMAGES", "TASKS", "LAST APPLY"]]
            for service in status.services {
                let images = service.desiredImages.keys.sorted().map { name -> String in
                    let want = service.desiredImages[name] ?? "-", have = service.liveImages[name]
                    return have == nil || have == want ? "\(name)=\(want)" : "\(name)=\(have!) -> \(want)"
                }.joined(separator: " ")
                let tasks = service.runningCount.map { "\($0)/\(service.desiredCount ?? 0)" } ?? "-"
                let last =
                    service.lastApply.map { apply in
                        [
                            ObjectID.short(apply.commit), apply.author ?? "", apply.finished.map { age(now.timeIntervalSince($0)) + " ago" } ?? "",
                            apply.outcome,
                        ]
                        .filter { !$0.isEmpty }.joined(separator: " ")
                    } ?? "-"
                let state = service.state.words + (service.stage.map { " (\($0))" } ?? "")
                rows.append([service.service, state, service.liveRevision ?? "-", images, tasks, last])
            }
            out += table(rows).map { "  " + $0 }
            out.append("")
        }
        return out.joined(separator: "\n")
    }

    /// The review environments: name, branch, state, age, time left, services, and why.
    static func text(_ reviews: [ReviewStatus], template: ReviewTemplate, target: String, now: Date = Date()) -> String {
        var header = "review environments from \(template.from) on \(target)"
        var limits: [String] = []
        if let ttl = template.ttl { limits.append("ttl \(DurationText.format(ttl))") }
        if let maximum = template.maxEnvironments { limits.append("at most \(maximum)") }
        if !limits.isEmpty { header += " (" + limits.joined(separator: ", ") + ")" }
        guard !reviews.isEmpty else { return header + ": none (branches: \(template.branches.joined(separator: ", ")))\n" }
        var rows = [["NAME", "BRANCH", "STATE", "AGE", "EXPIRES", "SERVICES"]]
        for review in reviews {
            let expires = review.expiryText(now: now) ?? "-"
            var detail = review.services.joined(separator: " ")
            if let reason = review.reason { detail += (detail.isEmpty ? "" : "  ") + reason }
            rows.append([
                review.name, review.branch, review.state.rawValue, review.created.map { age(now.timeIntervalSince($0)) } ?? "-",
                expires, detail.isEmpty ? "-" : detail,
            ])
        }
        return ([header] + table(rows).map { "  " + $0 }).joined(separator: "\n") + "\n"
    }

    static func json<T: Encodable>(_ statuses: [T]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: (try? encoder.encode(statuses)) ?? Data(), as: UTF8.self)
    }

    static func table(_ rows: [[String]]) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { index, cell in index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
    }

    static func age(_ seconds: TimeInterval) -> String {
        switch seconds {
        case ..<90: return "\(Int(max(seconds, 0)))s"
        case ..<5400: return "\(Int(seconds / 60))m"
        case ..<172_800: return "\(Int(seconds / 3600))h"
        default: return "\(Int(seconds / 86400))d"
        }
    }
}
