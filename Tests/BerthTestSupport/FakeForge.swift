import Foundation
import Synchronization

/// A GitHub or GitLab REST API on 127.0.0.1, as far as berth uses one: pull (merge) requests,
/// labels, comments (notes), commit statuses, pagination. Every request is checked against the
/// forge's published description (method, path, headers, body fields and their types); what
/// does not match is answered as the forge would (401, 404, 422) and written to `violations`,
/// which a test expects empty. Faults (rate limits, server errors) are injected in order.
package final class FakeForge: Sendable {
    package enum Kind: String, Sendable { case github, gitlab }

    package struct Pull: Sendable, Equatable {
        package let number: Int
        package var title: String
        package var body: String
        package let head: String
        package let base: String
        package var open = true
        package var merged = false
        /// From a fork: its head branch is in another repository.
        package var fork = false
        package var labels: [String] = []
        package var headSHA: String?
    }

    package struct Comment: Sendable, Equatable {
        package let id: Int
        package let pull: Int
        package var body: String
        package var edits = 0
    }

    package struct Status: Sendable, Equatable {
        package let sha: String
        package let context: String
        package let state: String
        package let description: String
        package let targetURL: String?
    }

    package enum Fault: Sendable {
        /// The primary limit: GitHub 403 with `X-RateLimit-Remaining: 0`, GitLab 429 with `RateLimit-*`.
        case rateLimited(resetIn: Int)
        /// GitHub's secondary limit: 403 with `Retry-After`.
        case secondaryLimit(retryAfter: Int)
        case serverError
    }

    struct State {
        var pulls: [Pull] = []
        var comments: [Comment] = []
        var statuses: [Status] = []
        var violations: [String] = []
        var faults: [Fault] = []
        var nextComment = 9_000
        var base = ""
    }

    package let kind: Kind
    package let token: String
    package let repository: String
    let state: Mutex<State>
    let server: LoopbackServer
    let headOf: @Sendable (String) -> String?
    let onMerge: @Sendable (Pull) -> Bool

    /// `headOf` gives a branch's tip, for the head sha of pull requests (nil: unknown);
    /// `onMerge` merges a pull request in the test's git, false when it cannot.
    package init(
        _ kind: Kind, token: String = "forge-token-0123456789", repository: String = "shop/manifests",
        headOf: @escaping @Sendable (String) -> String? = { _ in nil },
        onMerge: @escaping @Sendable (Pull) -> Bool = { _ in true }
    ) async throws {
        let box = StateBox()
        self.kind = kind
        self.token = token
        self.repository = repository
        self.headOf = headOf
        self.onMerge = onMerge
        server = try await LoopbackServer { request, _ in
            box.forge.withLock { $0?.forge }?.answer(request) ?? .respond(status: 503, headers: [], body: "")
        }
        state = Mutex(State())
        let prefix = kind == .github ? "" : "/api/v4"
        state.withLock { $0.base = server.url + prefix }
        box.forge.withLock { $0 = WeakForge(forge: self) }
    }

    /// The API's base URL (what `BERTH_FORGE_API_URL` is set to).
    package var url: String { state.withLock { $0.base } }
    package var pulls: [Pull] { state.withLock { $0.pulls } }
    package var comments: [Comment] { state.withLock { $0.comments } }
    package var statuses: [Status] { state.withLock { $0.statuses } }
    package var violations: [String] { state.withLock { $0.violations } }
    package var requests: [LoopbackServer.Request] { server.requests }

    package func inject(_ faults: Fault...) { state.withLock { $0.faults += faults } }

    /// A status set by someone else (a CI job).
    package func addStatus(sha: String, context: String, state: String) {
        self.state.withLock { $0.statuses.append(Status(sha: sha, context: context, state: state, description: "", targetURL: nil)) }
    }

    /// A pull request made outside berth (by a person, or an older run).
    @discardableResult
    package func addPull(title: String, body: String, head: String, base: String, fork: Bool = false) -> Int {
        state.withLock { state in
            let number = (state.pulls.map(\.number).max() ?? 0) + 1
            state.pulls.append(Pull(number: number, title: title, body: body, head: head, base: base, fork: fork))
            return number
        }
    }

    package func addComment(on pull: Int, body: String) {
        state.withLock { state in
            state.nextComment += 1
            state.comments.append(Comment(id: state.nextComment, pull: pull, body: body))
        }
    }

    package func close(_ number: Int) {
        state.withLock { state in
            if let index = state.pulls.firstIndex(where: { $0.number == number }) { state.pulls[index].open = false }
        }
    }

    package func shutdown() async { await server.shutdown() }

    // MARK: Answers

    typealias Reply = LoopbackServer.Reply
    typealias JSON = [String: Any]

    func answer(_ request: LoopbackServer.Request) -> Reply {
        if let fault = state.withLock({ $0.faults.isEmpty ? nil : $0.faults.removeFirst() }) { return reply(fault) }
        if let refusal = checkHeaders(request) { return refusal }
        let (path, query) = split(request.uri)
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if kind == .gitlab {
            guard parts.starts(with: ["api", "v4", "projects"]), parts.count > 3 else { return notFound(request) }
            guard parts[3] == repository.replacingOccurrences(of: "/", with: "%2F") else {
                return violation(request, "the project must be its URL-encoded path, got \(parts[3])", status: 404)
            }
            parts = Array(parts.dropFirst(4))
            return gitlab(request, parts, query)
        }
        guard parts.count > 3, parts[0] == "repos", parts[1] + "/" + parts[2] == repository else { return notFound(request) }
        return github(request, Array(parts.dropFirst(3)), query)
    }

    func reply(_ fault: Fault) -> Reply {
        let reset = String(Int(Date().timeIntervalSince1970) + { if case .rateLimited(let s) = fault { return s } else { return 0 } }())
        switch (fault, kind) {
        case (.rateLimited, .github):
            return .respond(
                status: 403,
                headers: [
                    ("X-RateLimit-Limit", "5000"), ("X-RateLimit-Remaining", "0"), ("X-RateLimit-Reset", reset),
                    ("Content-Type", "application/json"),
                ],
                body: #"{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest"}"#)
        case (.rateLimited, .gitlab):
            return .respond(
                status: 429, headers: [("RateLimit-Limit", "600"), ("RateLimit-Remaining", "0"), ("RateLimit-Reset", reset)],
                body: "Retry later")
        case (.secondaryLimit(let after), _):
            return .respond(
                status: 403, headers: [("Retry-After", String(after)), ("Content-Type", "application/json")],
                body: #"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}"#)
        case (.serverError, _):
            return .respond(status: 502, headers: [], body: "<html>Bad Gateway</html>")
        }
    }

    func checkHeaders(_ request: LoopbackServer.Request) -> Reply? {
        switch kind {
        case .github:
            guard request.header("Authorization") == "Bearer \(token)" else {
                return json(401, ["message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"])
            }
            if request.header("Accept") != "application/vnd.github+json" { note(request, "Accept must be application/vnd.github+json") }
            if request.header("X-GitHub-Api-Version") != "2022-11-28" { note(request, "X-GitHub-Api-Version must be 2022-11-28") }
            if (request.header("User-Agent") ?? "").isEmpty {
                return violation(request, "GitHub refuses requests without a User-Agent", status: 403)
            }
        case .gitlab:
            guard request.header("PRIVATE-TOKEN") == token else { return json(401, ["message": "401 Unauthorized"]) }
        }
        if ["POST", "PATCH", "PUT"].contains(request.method), !(request.header("Content-Type") ?? "").hasPrefix("application/json") {
            note(request, "a body must be sent as application/json")
        }
        return nil
    }

    // MARK: GitHub

    func github(_ request: LoopbackServer.Request, _ parts: [String], _ query: [String: String]) -> Reply {
        switch (request.method, parts.count, parts.first) {
        case ("GET", 1, "pulls"):
            let open = query["state"] ?? "open"
            let owner = repository.split(separator: "/")[0]
            let wanted = state.withLock { $0.pulls }.filter { (pull: Pull) -> Bool in
                (open == "all" || (pull.open == (open == "open"))) && (query["base"] == nil || query["base"] == pull.base)
                    && (query["head"] == nil || query["head"] == "\(owner):\(pull.head)")
            }
            return page(request, query, wanted.map(githubPull))
        case ("POST", 1, "pulls"):
            guard
                let body = body(
                    request, required: ["title": String.self, "head": String.self, "base": String.self],
                    optional: ["body": String.self, "draft": Bool.self])
            else { return invalid(request) }
            let head = (body["head"] as! String).split(separator: ":").last.map(String.init) ?? ""
            let base = body["base"] as! String
            if state.withLock({ $0.pulls.contains { $0.open && !$0.fork && $0.head == head && $0.base == base } }) {
                return json(
                    422,
                    [
                        "message": "Validation Failed",
                        "errors": [
                            [
                                "resource": "PullRequest", "code": "custom",
                                "message": "A pull request already exists for \(repository.split(separator: "/")[0]):\(head).",
                            ]
                        ],
                    ])
            }
            let number = addPull(title: body["title"] as! String, body: body["body"] as? String ?? "", head: head, base: base)
            return json(201, githubPull(pull(number)!))
        case ("PATCH", 2, "pulls"):
            guard let number = Int(parts[1]), pull(number) != nil else { return notFound(request) }
            guard
                let body = body(
                    request, required: [:],
                    optional: [
                        "title": String.self, "body": String.self, "state": String.self,
                        "base": String.self,
                    ])
            else { return invalid(request) }
            update(number) { pull in
                if let title = body["title"] as? String { pull.title = title }
                if let text = body["body"] as? String { pull.body = text }
            }
            return json(200, githubPull(pull(number)!))
        case ("POST", 3, "issues") where parts[2] == "labels":
            guard let number = Int(parts[1]), pull(number) != nil else { return notFound(request) }
            guard let body = body(request, required: ["labels": [String].self], optional: [:]) else { return invalid(request) }
            update(number) { $0.labels = Array(Set($0.labels + (body["labels"] as! [String]))).sorted() }
            return json(200, (pull(number)!.labels).map { ["name": $0] })
        case ("GET", 3, "issues") where parts[2] == "comments":
            guard let number = Int(parts[1]) else { return notFound(request) }
            return page(request, query, state.withLock { $0.comments }.filter { $0.pull == number }.map { ["id": $0.id, "body": $0.body] })
        case ("POST", 3, "issues") where parts[2] == "comments":
            guard let number = Int(parts[1]), pull(number) != nil else { return notFound(request) }
            guard let body = body(request, required: ["body": String.self], optional: [:]) else { return invalid(request) }
            addComment(on: number, body: body["body"] as! String)
            return json(201, ["id": state.withLock { $0.nextComment }, "body": body["body"] as! String])
        case ("PATCH", 3, "issues") where parts[1] == "comments":
            guard let id = Int(parts[2]), state.withLock({ $0.comments.contains { $0.id == id } }) else { return notFound(request) }
            guard let body = body(request, required: ["body": String.self], optional: [:]) else { return invalid(request) }
            editComment(id, body["body"] as! String)
            return json(200, ["id": id, "body": body["body"] as! String])
        case ("POST", 2, "statuses"):
            guard
                let body = body(
                    request, required: ["state": String.self],
                    optional: ["context": String.self, "description": String.self, "target_url": String.self])
            else { return invalid(request) }
            return status(request, sha: parts[1], body: body, states: ["error", "failure", "pending", "success"], name: "context")
        case ("GET", 3, "commits") where parts[2] == "status":
            let statuses = latestStatuses(parts[1])
            let state =
                statuses.isEmpty || statuses.contains { $0.state == "pending" }
                ? "pending"
                : statuses.allSatisfy { $0.state == "success" } ? "success" : "failure"
            return json(
                200,
                [
                    "state": state, "total_count": statuses.count, "sha": parts[1],
                    "statuses": statuses.map { ["context": $0.context, "state": $0.state] },
                ])
        case ("PUT", 3, "pulls") where parts[2] == "merge":
            guard let number = Int(parts[1]), let pull = pull(number) else { return notFound(request) }
            guard
                let body = body(
                    request, required: [:],
                    optional: [
                        "sha": String.self, "merge_method": String.self, "commit_title": String.self,
                        "commit_message": String.self,
                    ])
            else { return invalid(request) }
            if let method = body["merge_method"] as? String, !["merge", "squash", "rebase"].contains(method) {
                return violation(request, "merge_method must be merge, squash or rebase", status: 422)
            }
            return mergeAnswer(pull, sha: body["sha"] as? String)
        case ("GET", 3, "commits") where parts[2] == "pulls":
            return page(request, query, state.withLock { $0.pulls }.filter { headSHA($0) == parts[1] }.map(githubPull))
        default:
            return notFound(request)
        }
    }

    func githubPull(_ pull: Pull) -> JSON {
        [
            "number": pull.number, "html_url": "https://github.example/\(repository)/pull/\(pull.number)", "title": pull.title,
            "body": pull.body, "state": pull.open ? "open" : "closed", "merged_at": pull.merged ? "2026-12-06T00:00:00Z" as Any : NSNull(),
            "head": [
                "ref": pull.head, "sha": headSHA(pull) ?? "0000000000000000000000000000000000000000",
                "repo": ["full_name": pull.fork ? "mallory/manifests" : repository],
            ],
            "base": ["ref": pull.base, "repo": ["full_name": repository]],
        ]
    }

    // MARK: GitLab

    func gitlab(_ request: LoopbackServer.Request, _ parts: [String], _ query: [String: String]) -> Reply {
        switch (request.method, parts.count, parts.first) {
        case ("GET", 1, "merge_requests"):
            let wanted = state.withLock { $0.pulls }.filter { (pull: Pull) -> Bool in
                let stateOK =
                    query["state"] == nil || query["state"] == "all" || (query["state"] == "opened" && pull.open)
                    || (query["state"] == "closed" && !pull.open && !pull.merged) || (query["state"] == "merged" && pull.merged)
                return stateOK && (query["target_branch"] == nil || query["target_branch"] == pull.base)
                    && (query["source_branch"] == nil || query["source_branch"] == pull.head)
            }
            return page(request, query, wanted.map(gitlabMergeRequest))
        case ("POST", 1, "merge_requests"):
            guard
                let body = body(
                    request, required: ["source_branch": String.self, "target_branch": String.self, "title": String.self],
                    optional: ["description": String.self, "labels": String.self, "remove_source_branch": Bool.self])
            else {
                return invalid(request)
            }
            let (head, base) = (body["source_branch"] as! String, body["target_branch"] as! String)
            if let existing = state.withLock({ $0.pulls.first { $0.open && !$0.fork && $0.head == head && $0.base == base } }) {
                return json(409, ["message": ["Another open merge request already exists for this source branch: !\(existing.number)"]])
            }
            let number = addPull(title: body["title"] as! String, body: body["description"] as? String ?? "", head: head, base: base)
            return json(201, gitlabMergeRequest(pull(number)!))
        case ("PUT", 2, "merge_requests"):
            guard let number = Int(parts[1]), pull(number) != nil else { return notFound(request) }
            guard
                let body = body(
                    request, required: [:],
                    optional: [
                        "title": String.self, "description": String.self, "add_labels": String.self,
                        "labels": String.self, "state_event": String.self,
                    ])
            else { return invalid(request) }
            update(number) { pull in
                if let title = body["title"] as? String { pull.title = title }
                if let text = body["description"] as? String { pull.body = text }
                if let add = body["add_labels"] as? String {
                    pull.labels = Array(Set(pull.labels + add.split(separator: ",").map(String.init))).sorted()
                }
            }
            return json(200, gitlabMergeRequest(pull(number)!))
        case ("GET", 3, "merge_requests") where parts[2] == "notes":
            guard let number = Int(parts[1]) else { return notFound(request) }
            return page(
                request, query,
                state.withLock { $0.comments }.filter { $0.pull == number }
                    .map { ["id": $0.id, "body": $0.body, "system": false] })
        case ("POST", 3, "merge_requests") where parts[2] == "notes":
            guard let number = Int(parts[1]), pull(number) != nil else { return notFound(request) }
            guard let body = body(request, required: ["body": String.self], optional: [:]) else { return invalid(request) }
            addComment(on: number, body: body["body"] as! String)
            return json(201, ["id": state.withLock { $0.nextComment }, "body": body["body"] as! String, "system": false])
        case ("PUT", 4, "merge_requests") where parts[2] == "notes":
            guard let id = Int(parts[3]), state.withLock({ $0.comments.contains { $0.id == id } }) else { return notFound(request) }
            guard let body = body(request, required: ["body": String.self], optional: [:]) else { return invalid(request) }
            editComment(id, body["body"] as! String)
            return json(200, ["id": id, "body": body["body"] as! String, "system": false])
        case ("POST", 2, "statuses"):
            guard
                let body = body(
                    request, required: ["state": String.self],
                    optional: ["name": String.self, "description": String.self, "target_url": String.self, "ref": String.self])
            else {
                return invalid(request)
            }
            return status(request, sha: parts[1], body: body, states: ["pending", "running", "success", "failed", "canceled"], name: "name")
        case ("GET", 4, "repository") where parts[1] == "commits" && parts[3] == "statuses":
            return page(request, query, latestStatuses(parts[2]).map { ["name": $0.context, "status": $0.state] })
        case ("PUT", 3, "merge_requests") where parts[2] == "merge":
            guard let number = Int(parts[1]), let pull = pull(number) else { return notFound(request) }
            guard
                let body = body(
                    request, required: [:],
                    optional: [
                        "sha": String.self, "squash": Bool.self,
                        "should_remove_source_branch": Bool.self,
                    ])
            else { return invalid(request) }
            return mergeAnswer(pull, sha: body["sha"] as? String)
        case ("GET", 4, "repository") where parts[1] == "commits" && parts[3] == "merge_requests":
            return page(request, query, state.withLock { $0.pulls }.filter { headSHA($0) == parts[2] }.map(gitlabMergeRequest))
        default:
            return notFound(request)
        }
    }

    func gitlabMergeRequest(_ pull: Pull) -> JSON {
        [
            "iid": pull.number, "id": 1000 + pull.number, "web_url": "https://gitlab.example/\(repository)/-/merge_requests/\(pull.number)",
            "title": pull.title, "description": pull.body, "state": pull.open ? "opened" : "closed", "source_branch": pull.head,
            "target_branch": pull.base, "sha": headSHA(pull) as Any, "labels": pull.labels,
            "source_project_id": pull.fork ? 666 : 42, "target_project_id": 42,
        ]
    }

    // MARK: Shared

    /// The newest status of each context on `sha`.
    func latestStatuses(_ sha: String) -> [Status] {
        var newest: [String: Status] = [:]
        for status in state.withLock({ $0.statuses }) where status.sha == sha { newest[status.context] = status }
        return newest.values.sorted { $0.context < $1.context }
    }

    /// A merge: refused (409, as both forges answer) when the head moved past `sha`; otherwise
    /// `onMerge` does it (the test's git), and the pull request is closed as merged.
    func mergeAnswer(_ pull: Pull, sha: String?) -> Reply {
        guard pull.open else { return json(405, ["message": "Pull Request is not mergeable"]) }
        if let sha, let head = headSHA(pull), head != sha {
            return json(409, ["message": "Head branch was modified. Review and try the merge again."])
        }
        guard onMerge(pull) else { return json(405, ["message": "Pull Request is not mergeable"]) }
        state.withLock { state in
            if let index = state.pulls.firstIndex(where: { $0.number == pull.number }) {
                state.pulls[index].open = false
                state.pulls[index].merged = true
            }
        }
        return kind == .github
            ? json(200, ["merged": true, "message": "Pull Request successfully merged", "sha": headSHA(pull) ?? ""])
            : json(200, gitlabMergeRequest(pull))
    }

    func status(_ request: LoopbackServer.Request, sha: String, body: JSON, states: [String], name: String) -> Reply {
        let state = body["state"] as! String
        guard states.contains(state) else { return violation(request, "state must be one of \(states), got \(state)", status: 422) }
        guard sha.count == 40, sha.allSatisfy(\.isHexDigit) else { return violation(request, "\(sha) is not a full commit sha", status: 422) }
        let description = body["description"] as? String ?? ""
        if description.count > 140 { note(request, "description longer than 140 characters") }
        let status = Status(
            sha: sha, context: body[name] as? String ?? "default", state: state, description: description,
            targetURL: body["target_url"] as? String)
        self.state.withLock { $0.statuses.append(status) }
        return json(201, ["id": 1, "state": state, "context": status.context])
    }

    /// One page of `items`: `per_page` (at most 100, default 30 on GitHub, 20 on GitLab) and
    /// `page`, with a `Link` header pointing at the next page as both forges send it.
    func page(_ request: LoopbackServer.Request, _ query: [String: String], _ items: [JSON]) -> Reply {
        let size = min(Int(query["per_page"] ?? "") ?? (kind == .github ? 30 : 20), 100)
        let number = max(Int(query["page"] ?? "") ?? 1, 1)
        let slice = Array(items.dropFirst((number - 1) * size).prefix(size))
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        if number * size < items.count {
            var next = query
            next["page"] = String(number + 1)
            let (path, _) = split(request.uri)
            let origin = url.replacingOccurrences(of: "/api/v4", with: "")
            let text = next.sorted { $0.key < $1.key }.map { "\($0.key)=\(encode($0.value))" }.joined(separator: "&")
            headers.append(("Link", "<\(origin)\(path)?\(text)>; rel=\"next\""))
        }
        return json(200, slice, headers: headers)
    }

    func body(_ request: LoopbackServer.Request, required: [String: Any.Type], optional: [String: Any.Type]) -> JSON? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? JSON else {
            note(request, "the body is not a JSON object")
            return nil
        }
        for (key, type) in required where object[key] == nil || !matches(object[key]!, type) {
            note(request, "field \(key) is missing or not \(type)")
            return nil
        }
        for (key, value) in object {
            guard let type = required[key] ?? optional[key] else {
                note(request, "unknown field \(key)")
                return nil
            }
            guard matches(value, type) else {
                note(request, "field \(key) is not \(type)")
                return nil
            }
        }
        return object
    }

    func matches(_ value: Any, _ type: Any.Type) -> Bool {
        switch type {
        case is String.Type: return value is String
        case is Bool.Type: return value is Bool
        case is [String].Type: return (value as? [Any])?.allSatisfy { $0 is String } == true
        default: return false
        }
    }

    func pull(_ number: Int) -> Pull? { state.withLock { $0.pulls.first { $0.number == number } } }

    func update(_ number: Int, _ change: (inout Pull) -> Void) {
        state.withLock { state in
            if let index = state.pulls.firstIndex(where: { $0.number == number }) { change(&state.pulls[index]) }
        }
    }

    func editComment(_ id: Int, _ body: String) {
        state.withLock { state in
            if let index = state.comments.firstIndex(where: { $0.id == id }) {
                state.comments[index].body = body
                state.comments[index].edits += 1
            }
        }
    }

    func headSHA(_ pull: Pull) -> String? { pull.headSHA ?? headOf(pull.head) }

    func split(_ uri: String) -> (String, [String: String]) {
        let halves = uri.split(separator: "?", maxSplits: 1).map(String.init)
        var query: [String: String] = [:]
        for pair in (halves.count > 1 ? halves[1] : "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            query[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        return (halves.first ?? "/", query)
    }

    func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    func json(_ status: Int, _ object: Any, headers: [(String, String)] = [("Content-Type", "application/json")]) -> Reply {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return .respond(status: status, headers: headers, body: String(decoding: data, as: UTF8.self))
    }

    func note(_ request: LoopbackServer.Request, _ problem: String) {
        state.withLock { $0.violations.append("\(request.method) \(request.uri): \(problem)") }
    }

    func violation(_ request: LoopbackServer.Request, _ problem: String, status: Int) -> Reply {
        note(request, problem)
        return json(status, ["message": problem])
    }

    func invalid(_ request: LoopbackServer.Request) -> Reply {
        kind == .github ? json(422, ["message": "Invalid request."]) : json(400, ["message": "400 Bad request"])
    }

    func notFound(_ request: LoopbackServer.Request) -> Reply {
        note(request, "no such endpoint")
        return json(404, ["message": kind == .github ? "Not Found" : "404 Not Found"])
    }
}

private struct WeakForge: Sendable {
    weak var forge: FakeForge?
}

private final class StateBox: Sendable {
    let forge = Mutex<WeakForge?>(nil)
}
