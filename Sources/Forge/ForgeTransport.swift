import AsyncHTTPClient
import Foundation
import Synchronization
import NIOCore
import NIOHTTP1

/// One forge's REST API over HTTP: authentication headers, JSON in and out, retries on server
/// errors and dropped connections, waiting out rate limits (GitHub's `X-RateLimit-*` and
/// secondary limits, GitLab's `RateLimit-*`, `Retry-After` on either) up to `maxWait`, and
/// pagination through `Link: <…>; rel="next"`. Every wait is bounded, so a call ends.
struct ForgeTransport: Sendable {
    let settings: ForgeSettings
    /// Tries per call for server errors and dropped connections.
    var attempts = 3
    /// The longest berth waits for a rate limit to lift, in total per call; a longer limit is
    /// an error naming when it lifts.
    var maxWait: Double = 60
    var timeout: Double = 30
    /// The first retry's pause; doubled each time.
    var backoff: Double = 0.5

    struct Response: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]
    }

    /// Sends one request and decodes the answer; an error status throws with the forge's message.
    func call<Answer: Decodable>(
        _ method: HTTPMethod, _ path: String, query: [(String, String)] = [],
        body: (any Encodable & Sendable)? = nil, as answer: Answer.Type
    ) async throws -> Answer {
        let response = try await send(method, url(path, query: query), body: body)
        return try decode(Answer.self, response, method, path)
    }

    /// Sends one request whose answer is not needed beyond its success.
    /// With `once`, a dropped connection or a server error is not tried again: for a call
    /// whose repetition would make a second thing (a comment).
    func call(_ method: HTTPMethod, _ path: String, body: (any Encodable & Sendable)? = nil, once: Bool = false) async throws {
        _ = try await send(method, url(path, query: []), body: body, attempts: once ? 1 : attempts)
    }

    /// Every page of a list, following `rel="next"` links (at most `maxPages`), 100 items a page.
    func all<Item: Decodable>(_ path: String, query: [(String, String)] = [], maxPages: Int = 50, as item: Item.Type) async throws -> [Item] {
        var next: String? = url(path, query: query + [("per_page", "100")])
        var items: [Item] = []
        var pages = 0
        while let page = next, pages < maxPages {
            pages += 1
            let response = try await send(.GET, page, body: nil)
            items += try decode([Item].self, response, .GET, path)
            next = try nextLink(response.headers, path: path)
        }
        return items
    }

    // MARK: HTTP

    func url(_ path: String, query: [(String, String)]) -> String {
        guard !query.isEmpty, var parts = URLComponents(string: settings.apiURL + path) else { return settings.apiURL + path }
        parts.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        // URLComponents leaves `+` alone in queries; forges read it as a space.
        parts.percentEncodedQuery = parts.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return parts.string ?? settings.apiURL + path
    }

    func send(_ method: HTTPMethod, _ url: String, body: (any Encodable & Sendable)?, attempts: Int? = nil) async throws -> Response {
        let attempts = attempts ?? self.attempts
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try encoder.encode(body)))
        }
        let what = "\(settings.kind.name) \(method.rawValue) \(Self.pathOf(url, base: settings.apiURL))"
        var failures = 0
        var waited = 0.0
        while true {
            let response: Response
            do {
                response = try await Self.within(timeout) { [request, timeout] in
                    let answer = try await Self.client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
                    let bytes = try await answer.body.collect(upTo: 16 << 20)
                    return Response(status: Int(answer.status.code), headers: answer.headers, body: Array(buffer: bytes))
                }
            } catch is NIOTooManyBytesError {
                throw ForgeError("\(what): the answer is over 16 MiB; not read")
            } catch {
                failures += 1
                guard failures < attempts else { throw ForgeError("\(what): \(redacted("\(error)")) (after \(failures) tries)") }
                try await Task.sleep(nanoseconds: UInt64(backoff * Double(1 << (failures - 1)) * 1e9))
                continue
            }
            if (200..<300).contains(response.status) { return response }
            if let limit = RateLimit(response) {
                let wait = limit.wait(now: Date())
                guard waited + wait <= maxWait else {
                    throw ForgeError("\(what): \(limit.explanation(settings.kind, now: Date(), maxWait: maxWait))", status: response.status)
                }
                waited += wait
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                continue
            }
            if response.status >= 500 {
                failures += 1
                if failures < attempts {
                    try await Task.sleep(nanoseconds: UInt64(backoff * Double(1 << (failures - 1)) * 1e9))
                    continue
                }
            }
            throw failure(response, what)
        }
    }

    /// Runs `body` with one deadline for the whole exchange: AsyncHTTPClient's timeout covers
    /// the answer's head, and a server that then sends its body slowly would hold the call
    /// forever. At the deadline the call is cancelled and this returns at once, without waiting
    /// for the cancelled request to wind down (a task group would wait for it).
    static func within<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = Once<T>()
        let work = Task { outcome.finish(await Result { try await body() }) }
        let timer = Task {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            if outcome.finish(.failure(ForgeError("no complete answer within \(Int(seconds)) s"))) { work.cancel() }
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await outcome.value()
        } onCancel: {
            if outcome.finish(.failure(CancellationError())) { work.cancel() }
        }
    }

    /// A client that follows no redirect: AsyncHTTPClient would carry GitLab's `PRIVATE-TOKEN`
    /// to whatever host a redirect names. A forge's API does not redirect its own calls.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    var headers: [(String, String)] {
        switch settings.kind {
        case .github:
            return [
                ("Authorization", "Bearer \(settings.token)"), ("Accept", "application/vnd.github+json"),
                ("X-GitHub-Api-Version", "2022-11-28"), ("User-Agent", "berth"),
            ]
        case .gitlab:
            return [("PRIVATE-TOKEN", settings.token), ("Accept", "application/json"), ("User-Agent", "berth")]
        }
    }

    // MARK: Answers

    func decode<Answer: Decodable>(_ type: Answer.Type, _ response: Response, _ method: HTTPMethod, _ path: String) throws -> Answer {
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(response.body))
        } catch {
            throw ForgeError("\(settings.kind.name) \(method.rawValue) \(path): the answer is not what the API describes (\(error))")
        }
    }

    /// The forge's own message, and what the status usually means for a token.
    func failure(_ response: Response, _ what: String) -> ForgeError {
        struct Message: Decodable {
            let message: FlexibleText?
            let error: String?
            let errors: [Detail]?
            struct Detail: Decodable { let message: String? }
        }
        let parsed = try? JSONDecoder().decode(Message.self, from: Data(response.body))
        var text = [parsed?.message?.text, parsed?.error].compactMap { $0 }.joined(separator: ": ")
        let details = (parsed?.errors ?? []).compactMap(\.message)
        if !details.isEmpty { text += (text.isEmpty ? "" : ": ") + details.joined(separator: "; ") }
        if text.isEmpty { text = String(decoding: response.body.prefix(200), as: UTF8.self) }
        if text.count > 300 { text = String(text.prefix(300)) + "…" }
        let variable = "BERTH_FORGE_TOKEN (or \(settings.kind.tokenVariable))"
        let hint: String
        switch response.status {
        case 401: hint = " — the token in \(variable) is expired, revoked or not a token; set a valid one"
        case 403:
            hint =
                " — the token in \(variable) lacks permission on \(settings.repository) ("
                + (settings.kind == .github ? "pull requests, issues and statuses: write)" : "a token with the api scope, Developer role or above)")
        case 404: hint = " — \(settings.repository) does not exist at \(settings.apiURL), or the token cannot see it"
        case 300..<400:
            let location =
                response.headers.first(name: "Location").flatMap { URL(string: $0) }.map { "\($0.host ?? "?")\($0.port.map { ":\($0)" } ?? "")" }
                ?? "elsewhere"
            hint = " — the API redirects to \(location); berth does not follow (the token would go along): set the API URL it redirects to"
        default: hint = ""
        }
        return ForgeError("\(what): \(response.status)\(text.isEmpty ? "" : " ")\(redacted(text))\(hint)", status: response.status)
    }

    /// The next page's URL; it must stay on the API's host, since the token goes with it.
    func nextLink(_ headers: HTTPHeaders, path: String) throws -> String? {
        for field in headers["Link"].flatMap({ $0.split(separator: ",") }) {
            let parts = field.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.dropFirst().contains(where: { $0.replacingOccurrences(of: " ", with: "") == "rel=\"next\"" }),
                let first = parts.first, first.hasPrefix("<"), first.hasSuffix(">")
            else { continue }
            let link = String(first.dropFirst().dropLast())
            guard let next = URL(string: link), let base = URL(string: settings.apiURL), next.scheme == base.scheme,
                next.host == base.host, next.port == base.port
            else {
                throw ForgeError("\(settings.kind.name) GET \(path): the next page is on another host (\(link.prefix(80))); not followed")
            }
            return link
        }
        return nil
    }

    func redacted(_ text: String) -> String {
        settings.token.count < 4 ? text : text.replacingOccurrences(of: settings.token, with: "(token)")
    }

    static func pathOf(_ url: String, base: String) -> String {
        let rest = url.hasPrefix(base) ? String(url.dropFirst(base.count)) : url
        return String(rest.split(separator: "?", maxSplits: 1).first ?? Substring(rest))
    }
}

/// GitLab sends `message` as text, a list of texts, or an object of field errors.
struct FlexibleText: Decodable {
    let text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self.text = text
        } else if let texts = try? container.decode([String].self) {
            text = texts.joined(separator: "; ")
        } else if let fields = try? container.decode([String: [String]].self) {
            text = fields.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.joined(separator: ", "))" }.joined(separator: "; ")
        } else {
            text = "(unreadable message)"
        }
    }
}

/// A result that the first of several racers sets, and one waiter reads.
final class Once<T: Sendable>: Sendable {
    private let state = Mutex<(result: Result<T, any Error>?, waiter: CheckedContinuation<T, any Error>?)>((nil, nil))

    /// Sets the result unless one is set; true when this call set it.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let waiter = state.withLock { state -> CheckedContinuation<T, any Error>?? in
            guard state.result == nil else { return .none }
            state.result = result
            defer { state.waiter = nil }
            return .some(state.waiter)
        }
        guard let waiter else { return false }
        waiter?.resume(with: result)
        return true
    }

    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<T, any Error>? in
                if state.result == nil { state.waiter = continuation }
                return state.result
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

private extension Result where Failure == any Error {
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
