import Foundation
import Git
import Manifests

/// A server-rendered status page with no external assets: environments and their services,
/// whether each is in sync, and what berth last did.
enum StatusPage {
    static func html(_ snapshot: ControllerStatus.Snapshot) -> String {
        let time = ISO8601DateFormatter()
        var rows = ""
        for environment in snapshot.environments {
            let state = environment.error != nil ? "failed" : environment.converged ? "in sync" : "out of sync"
            rows +=
                "<tr class=\"env\"><th colspan=\"4\">\(escape(environment.environment)) <span class=\"\(css(state))\">\(state)</span>"
                + " <button class=\"refresh\" data-environment=\"\(escape(environment.environment))\">refresh now</button>"
                + " <small>\(escape(environment.target)) · applied \(escape(ObjectID.short(environment.appliedCommit ?? "none")))"
                + (environment.leadTimeSeconds.map { String(format: " · lead time %.0f s", $0) } ?? "")
                + (environment.headSubject.map { " · head “\(escape($0))”" } ?? "")
                + (environment.headAuthor.map { " by \(escape($0))" } ?? "")
                + (environment.headTime.map { " at \(time.string(from: $0))" } ?? "") + "</small>"
                + (environment.error.map { "<div class=\"error\">\(escape($0))</div>" } ?? "") + "</th></tr>\n"
            for service in environment.services {
                let revision = service.taskDefinitionArn.map { String($0.split(separator: "/").last ?? "") } ?? ""
                rows +=
                    "<tr><td>\(escape(service.service))</td><td class=\"\(css(service.sync))\">\(escape(service.sync))</td>"
                    + "<td>\(escape(revision))"
                    + service.images.sorted { $0.key < $1.key }
                    .map { "<div><small>\(escape($0.key)): \(escape($0.value))</small></div>" }.joined()
                    + "</td><td>\(escape(service.outcome ?? ""))"
                    + (service.recorded.map {
                        " <small>\(time.string(from: $0))"
                            + (service.recordedCommit.map { " on \(escape(ObjectID.short($0)))" } ?? "") + "</small>"
                    } ?? "")
                    + (service.reason.map { "<div><small>\(escape($0))</small></div>" } ?? "")
                    + (service.changes.isEmpty
                        ? ""
                        : "<details><summary><small>\(service.changes.count) field change(s)</small></summary><pre>"
                            + escape(service.changes.joined(separator: "\n")) + "</pre></details>")
                    + (service.history.count < 2
                        ? ""
                        : "<details><summary><small>last \(service.history.count) records</small></summary><ul>"
                            + service.history.map {
                                "<li><small>\(escape($0.outcome)) \(time.string(from: $0.time)) on "
                                    + "\(escape(ObjectID.short($0.commit)))\($0.reason.map { ": " + escape($0) } ?? "")</small></li>"
                            }.joined()
                            + "</ul></details>")
                    + "</td></tr>\n"
            }
        }
        var promotions = ""
        for preview in snapshot.promotions {
            promotions += "<h2>Promoting \(escape(preview.from)) → \(escape(preview.to))</h2>"
            promotions +=
                preview.changes.isEmpty
                ? "<p class=\"in-sync\">nothing to promote</p>"
                : "<ul>" + preview.changes.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
        }
        var reviews = ""
        if !snapshot.reviews.isEmpty || !snapshot.reviewTeardowns.isEmpty || snapshot.reviewError != nil {
            reviews = "<h2>Review environments</h2>" + (snapshot.reviewError.map { "<p class=\"failed\">\(escape($0))</p>" } ?? "")
            reviews += "<table><tr><th>environment</th><th>branch</th><th>state</th><th>age</th><th>expires</th><th>services</th></tr>\n"
            let now = Date()
            for review in snapshot.reviews {
                let age = review.created.map { DurationText.format(now.timeIntervalSince($0)) } ?? ""
                let expires = review.expiryText(now: now) ?? ""
                reviews +=
                    "<tr><td>\(escape(review.name))</td><td>\(escape(review.branch))</td><td class=\"\(css(review.state.rawValue))\">"
                    + "\(escape(review.state.rawValue))</td><td>\(age)</td><td>\(expires)</td><td>\(escape(review.services.joined(separator: " ")))"
                    + (review.reason.map { "<div class=\"error\">\(escape($0))</div>" } ?? "") + "</td></tr>\n"
            }
            for teardown in snapshot.reviewTeardowns.prefix(5) {
                reviews +=
                    "<tr><td>\(escape(teardown.name))</td><td>\(escape(teardown.branch))</td><td>torn down</td><td></td><td></td>"
                    + "<td>\(escape(teardown.reason))</td></tr>\n"
            }
            reviews += "</table>"
        }
        let fetched = snapshot.lastFetch.map { time.string(from: $0) } ?? "never"
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="15"><title>berth</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}
            td,th{padding:.4em .6em;border-bottom:1px solid #ddd;text-align:left}tr.env th{background:#f4f4f4}
            .in-sync,.converged,.ready{color:#176c2d}.out-of-sync,.started,.skipped,.waiting,.progressing,.tearing-down{color:#9a6700}.failed,.rolled-back,.timed-out{color:#b42318}
            .error{color:#b42318;font-weight:normal}small{color:#666;font-weight:normal}button.refresh{float:right;font-size:.8em}
            </style></head><body>
            <h1>berth</h1>
            <p>Head \(escape(ObjectID.short(snapshot.head ?? "unknown"))), fetched \(fetched)\(snapshot.fetchError.map { " — <span class=\"failed\">fetch failed: \(escape($0))</span>" } ?? "")</p>
            <table><tr><th>service</th><th>state</th><th>task definition</th><th>last outcome</th></tr>
            \(rows)</table>
            \(reviews)
            \(promotions)
            <script>
            for (const button of document.querySelectorAll("button.refresh")) {
              button.addEventListener("click", async () => {
                button.disabled = true;
                const answer = await fetch("/api/reconcile?environment=" + encodeURIComponent(button.dataset.environment),
                                           {method: "POST", headers: {"X-Berth-Request": "1"}, credentials: "same-origin"});
                button.textContent = answer.ok ? "requested" : "refused (" + answer.status + ")";
                setTimeout(() => location.reload(), 2000);
              });
            }
            </script></body></html>
            """
    }

    static func css(_ state: String) -> String { state.replacingOccurrences(of: " ", with: "-") }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
