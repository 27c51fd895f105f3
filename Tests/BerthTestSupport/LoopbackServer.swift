import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A small HTTP server on 127.0.0.1 whose answers a test scripts: for credential endpoints,
/// and for throttling, server errors and dropped connections in retry tests.
package final class LoopbackServer: Sendable {
    package struct Request: Sendable {
        package let method: String
        package let uri: String
        package let headers: [(String, String)]
        package let body: String
        package let time: Date

        package func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    package enum Reply: Sendable {
        case respond(status: Int, headers: [(String, String)], body: String)
        /// Close the connection without answering.
        case reset
        /// The status and headers at once, then the body one byte every `interval` seconds.
        case trickle(status: Int, body: String, interval: TimeInterval)
        /// Answer after a delay, without blocking the event loop.
        indirect case delayed(TimeInterval, Reply)
        /// Pass the request on to `url` and answer with its answer, or, with `dropAnswer`,
        /// close the connection after the upstream processed it (an answer lost in transit).
        case forward(String, dropAnswer: Bool)
    }

    private let channel: any Channel
    private let handler: @Sendable (Request, Int) -> Reply
    private let log = Mutex<[Request]>([])
    package let port: Int

    /// `handler` gets each request and its 0-based index. With `tls` (PEM certificate and key
    /// files), the server speaks HTTPS.
    package init(tls: (certificate: String, key: String)? = nil, handler: @escaping @Sendable (Request, Int) -> Reply) async throws {
        self.handler = handler
        let box = HandlerBox()
        let context = try tls.map { files in
            try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(files.certificate).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: files.key, format: .pem))))
        }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let context { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(box: box))
                }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        box.server.withLock { $0 = WeakServer(self) }
    }

    package var url: String { "http://127.0.0.1:\(port)" }

    /// Requests received so far.
    package var requests: [Request] { log.withLock { $0 } }

    package func shutdown() async {
        try? await channel.close()
    }

    fileprivate func reply(to request: Request) -> Reply {
        let index = log.withLock { log -> Int in
            log.append(request)
            return log.count - 1
        }
        return handler(request, index)
    }
}

private struct WeakServer: Sendable {
    weak var server: LoopbackServer?
    init(_ server: LoopbackServer) { self.server = server }
}

private final class HandlerBox: Sendable {
    let server = Mutex<WeakServer?>(nil)
}

private final class RequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let box: HandlerBox
    var head: HTTPRequestHead?
    var body = ""
    var lastRequest: LoopbackServer.Request?

    init(box: HandlerBox) { self.box = box }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = ""
        case .body(let buffer):
            body += String(buffer: buffer)
        case .end:
            guard let head, let server = box.server.withLock({ $0?.server }) else { return }
            let request = LoopbackServer.Request(
                method: head.method.rawValue, uri: head.uri,
                headers: head.headers.map { ($0.name, $0.value) }, body: body, time: Date())
            lastRequest = request
            send(server.reply(to: request), head: head, context: context)
        }
    }

    private func send(_ reply: LoopbackServer.Reply, head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch reply {
        case .delayed(let seconds, let later):
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
                let (handler, context) = loopBound.value
                handler.send(later, head: head, context: context)
            }
        case .reset:
            context.close(promise: nil)
        case .trickle(let status, let text, let interval):
            var headers = HTTPHeaders()
            headers.add(name: "Content-Length", value: String(text.utf8.count))
            context.writeAndFlush(
                wrapOutboundOut(
                    .head(
                        HTTPResponseHead(
                            version: head.version, status: HTTPResponseStatus(statusCode: status),
                            headers: headers))), promise: nil)
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            for (index, byte) in text.utf8.enumerated() {
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(Double(index + 1) * interval * 1000))) {
                    let (handler, context) = loopBound.value
                    guard context.channel.isActive else { return }
                    context.writeAndFlush(handler.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: [byte])))), promise: nil)
                    if index == text.utf8.count - 1 { context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil) }
                }
            }
        case .forward(let url, let dropAnswer):
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            let request = lastRequest
            Task {
                var upstream = HTTPClientRequest(url: url + (request?.uri ?? "/"))
                upstream.method = .init(rawValue: request?.method ?? "POST")
                for (name, value) in request?.headers ?? [] where name.lowercased() != "host" { upstream.headers.add(name: name, value: value) }
                upstream.body = .bytes(ByteBuffer(string: request?.body ?? ""))
                var reply = LoopbackServer.Reply.reset
                // Longer than any client's timeout: the proxy must not inject a fault of its own (an
                // answer dropped while the upstream, slow on a loaded machine, still works on it).
                if let response = try? await HTTPClient.shared.execute(upstream, timeout: .seconds(120)),
                    let body = try? await response.body.collect(upTo: 16 << 20)
                {
                    let headers = response.headers.filter { ["content-type", "x-amzn-requestid", "x-amzn-errortype"].contains($0.name.lowercased()) }
                        .map { ($0.name, $0.value) }
                    reply = dropAnswer ? .reset : .respond(status: Int(response.status.code), headers: headers, body: String(buffer: body))
                }
                let answer = reply
                eventLoop.execute {
                    let (handler, context) = loopBound.value
                    handler.send(answer, head: head, context: context)
                }
            }
        case .respond(let status, let headers, let text):
            var responseHeaders = HTTPHeaders(headers)
            responseHeaders.replaceOrAdd(name: "Content-Length", value: String(text.utf8.count))
            let responseHead = HTTPResponseHead(
                version: head.version, status: HTTPResponseStatus(statusCode: status),
                headers: responseHeaders)
            context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
