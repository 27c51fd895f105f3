import AWS
import Foundation
import Hummingbird
import Manifests
import NIOCore
import Notify
import Records

/// The controller's HTTP face: health, readiness, metrics, version, status, the webhook and a page.
package enum HTTPEndpoints {
    package static let version = BerthVersion.current

    package static func router(_ controller: Controller) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("healthz") { _, _ in text("ok\n") }
        router.get("readyz") { _, _ in
            let ready = await controller.status.isReady(maxFetchAge: max(3 * controller.options.interval, 30))
            return text(ready ? "ready\n" : "not ready\n", status: ready ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { _, _ in text(controller.metrics.render(), contentType: "text/plain; version=0.0.4") }
        let access = APIAccess(token: controller.options.apiToken)
        router.get("version") { request, _ in
            guard access.allows(request) else { return unauthorized() }
            let snapshot = await controller.status.current
            let applied = Dictionary(uniqueKeysWithValues: snapshot.environments.map { ($0.environment, $0.appliedCommit ?? "") })
            return try json(["berth": AnyJSON.string(version), "environments": .object(applied.mapValues { .string($0) })])
        }
        router.get("api/status") { request, _ in
            guard access.allows(request) else { return unauthorized() }
            return try json(await controller.status.current)
        }
        router.post("api/reconcile") { request, _ in
            guard access.allowsAction(request) else {
                return access.allows(request)
                    ? text("send the header X-Berth-Request: 1 with a request for a pass\n", status: .forbidden)
                    : unauthorized()
            }
            let environment = request.uri.queryParameters.get("environment")
            guard await controller.requestReconcile(environment) else {
                return text("no environment '\(environment ?? "")'\n", status: .notFound)
            }
            return text("reconciling \(environment ?? "every environment")\n", status: .accepted)
        }
        router.get("login") { _, _ in text(APIAccess.loginPage, contentType: "text/html; charset=utf-8") }
        router.post("login") { request, _ in
            let body = try await request.body.collect(upTo: 4096)
            guard let token = controller.options.apiToken, let given = APIAccess.formToken(String(buffer: body)), APIAccess.same(given, token) else {
                controller.logger.warning("sign-in refused", metadata: ["event": "login", "result": "refused"])
                return text(
                    APIAccess.loginPage.replacingOccurrences(of: "<form", with: "<p class=\"failed\">Wrong token.</p><form"),
                    status: .unauthorized, contentType: "text/html; charset=utf-8")
            }
            var response = Response(status: .seeOther, headers: [.location: "/"])
            let value = token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            response.headers[.setCookie] = "\(APIAccess.cookie)=\(value); Path=/; HttpOnly; SameSite=Strict"
            return response
        }
        router.get("hooks/git") { _, _ in
            // A person checking the webhook URL in a browser learns what it takes.
            var response = text("POST a push event here, signed with X-Hub-Signature-256\n", status: .methodNotAllowed)
            response.headers[.allow] = "POST"
            return response
        }
        router.post("hooks/git") { request, _ in
            let delivery = request.headers[.init("X-GitHub-Delivery")!] ?? request.headers[.init("X-Gitlab-Event-UUID")!] ?? "-"
            func refuse(_ status: HTTPResponse.Status, _ message: String) -> Response {
                controller.metrics.webhook("refused")
                controller.logger.warning(
                    "webhook refused",
                    metadata: [
                        "event": "webhook", "result": "refused", "delivery": "\(delivery)",
                        "status": .stringConvertible(status.code), "reason": "\(message.trimmingCharacters(in: .newlines))",
                    ])
                return text(message, status: status)
            }
            let bytes: [UInt8]
            switch await webhookBody(request, within: controller.options.http.bodyTimeout) {
            case .success(let body): bytes = body
            case .failure(let refusal): return refuse(refusal.status, refusal.message)
            }
            guard let secret = controller.options.webhookSecret,
                WebhookSignature.isValid(header: request.headers[.init("X-Hub-Signature-256")!], body: bytes, secret: secret)
            else {
                return refuse(.unauthorized, "bad or missing signature\n")
            }
            controller.metrics.webhook("accepted")
            controller.logger.info("webhook accepted; fetching", metadata: ["event": "webhook", "result": "accepted", "delivery": "\(delivery)"])
            controller.trigger()
            return text("fetching\n", status: .accepted)
        }
        router.get("/") { request, _ in
            guard access.allows(request) else { return Response(status: .seeOther, headers: [.location: "/login"]) }
            var response = text(StatusPage.html(await controller.status.current), contentType: "text/html; charset=utf-8")
            response.headers[.cacheControl] = "no-store"
            return response
        }
        return router
    }

    /// A webhook body is at most 1 MiB (GitHub's are a few KiB) and must arrive within the
    /// body timeout; either refusal is an answer the sender can read, never a 500.
    static let maxWebhookBody = 1 << 20

    struct Refusal: Error {
        let status: HTTPResponse.Status
        let message: String
    }

    static func webhookBody(_ request: Request, within seconds: Double) async -> Result<[UInt8], Refusal> {
        let tooLarge = Refusal(status: .contentTooLarge, message: "webhook body over \(maxWebhookBody) bytes\n")
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxWebhookBody { return .failure(tooLarge) }
        let body = request.body
        do {
            let buffer = try await Deadline.within(seconds) { try await body.collect(upTo: maxWebhookBody) }
            return .success(Array(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            return .failure(tooLarge)
        } catch is Deadline.Passed {
            return .failure(Refusal(status: .requestTimeout, message: "webhook body not received within \(DurationText.limit(seconds))\n"))
        } catch {
            return .failure(Refusal(status: .badRequest, message: "webhook body could not be read\n"))
        }
    }

    static func unauthorized() -> Response {
        var response = text("this controller's API needs its token: Authorization: Bearer <token>\n", status: .unauthorized)
        response.headers[.wwwAuthenticate] = "Bearer"
        return response
    }

    static func text(_ body: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func json<T: Encodable>(_ value: T) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return text(String(decoding: try encoder.encode(value), as: UTF8.self), contentType: "application/json")
    }
}

enum AnyJSON: Encodable {
    case string(String)
    case object([String: AnyJSON])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let s): try container.encode(s)
        case .object(let o): try container.encode(o)
        }
    }
}
