import AsyncHTTPClient
import Foundation
import NIOCore

/// Plain HTTP calls for test setup (moto's control API, loopback servers).
package enum HTTPProbe {
    package static func get(_ url: String) async throws -> String {
        try await send(HTTPClientRequest(url: url))
    }

    package static func post(_ url: String, body: String, headers: [(String, String)] = []) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        return try await send(request)
    }

    static func send(_ request: HTTPClientRequest) async throws -> String {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return String(buffer: buffer)
    }
}
