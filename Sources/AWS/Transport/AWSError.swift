import Foundation

/// An error from AWS (or from reaching it): the service's error code and message, never the
/// request's credentials or signature.
package struct AWSError: Error, CustomStringConvertible, Sendable, Equatable {
    package let code: String
    package let message: String
    /// HTTP status, 0 when no response arrived.
    package let status: Int
    package let service: String
    package let operation: String
    package let requestId: String?

    package init(code: String, message: String, status: Int, service: String, operation: String, requestId: String? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.service = service
        self.operation = operation
        self.requestId = requestId
    }

    package var description: String {
        let status = status > 0 ? "HTTP \(status)" : "no response"
        let request = requestId.map { ", request \($0)" } ?? ""
        return "\(service) \(operation): \(code): \(message) (\(status)\(request))"
    }

    /// Error codes the AWS SDKs treat as throttling (botocore's standard retry mode).
    package static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]

    /// Error codes for failures worth another attempt.
    package static let transientCodes: Set<String> = [
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
        "InternalError", "InternalFailure", "ServiceUnavailable", "ConnectionError", "ConnectFailed",
    ]

    package var isThrottling: Bool { Self.throttlingCodes.contains(code) }

    /// The service refused the request before doing anything (throttled, busy family, no
    /// connection): safe to send again even when it creates something.
    package var surelyNotProcessed: Bool {
        isThrottling || code == "ConnectFailed" || (code == "ClientException" && message.contains("Too many concurrent attempts"))
    }

    package var isRetryable: Bool {
        if isThrottling || Self.transientCodes.contains(code) || [500, 502, 503, 504].contains(status) { return true }
        // ECS answers concurrent registrations in one family with a ClientException worth retrying.
        return code == "ClientException" && message.contains("Too many concurrent attempts")
    }

    /// Reads an error response: JSON `__type`/`message`, the `x-amzn-ErrorType` header, or an XML
    /// `<Error><Code>` body (moto answers authentication failures in XML even for JSON services).
    static func decode(status: Int, headers: [(String, String)], body: [UInt8], service: String, operation: String) -> AWSError {
        let header = { (name: String) in headers.first { $0.0.lowercased() == name }?.1 }
        var code: String?
        var message: String?
        if let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] {
            code = (json["__type"] as? String) ?? (json["code"] as? String) ?? (json["Code"] as? String)
            message = (json["message"] as? String) ?? (json["Message"] as? String)
        } else if let text = String(bytes: body, encoding: .utf8), text.contains("<") {
            code = XMLFields.first("Code", in: text)
            message = XMLFields.first("Message", in: text)
        }
        if code == nil, let typeHeader = header("x-amzn-errortype") { code = typeHeader }
        let cleaned = code.map(cleanCode) ?? (status == 404 ? "NotFound" : "HTTP\(status)")
        let requestId =
            header("x-amzn-requestid") ?? header("x-amz-request-id")
            ?? String(bytes: body, encoding: .utf8).flatMap { XMLFields.first("RequestId", in: $0) }
        return AWSError(
            code: cleaned, message: message ?? "", status: status, service: service, operation: operation,
            requestId: requestId)
    }

    /// `aws.protocoltests#ThrottlingException:http://…` → `ThrottlingException`.
    static func cleanCode(_ raw: String) -> String {
        var code = Substring(raw)
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        return String(code).trimmingCharacters(in: .whitespaces)
    }
}

/// Reads the few values berth needs out of AWS's XML responses (STS, error bodies).
enum XMLFields {
    static func first(_ tag: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(tag)>"), let close = text.range(of: "</\(tag)>", range: open.upperBound..<text.endIndex) else {
            return nil
        }
        return unescape(String(text[open.upperBound..<close.lowerBound]))
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
