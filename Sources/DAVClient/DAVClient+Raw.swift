import DAVCore
import NIOCore
import NIOPosix
import NIOSSL

extension DAVClient {
    /// The answer to `request` as raw bytes, read without an HTTP parser, up to `limit` bytes or until the
    /// server closes the connection: for an answer the HTTP client refused (broken framing), which
    /// davdoctor then reads and judges itself. Same connect and read timeouts, TLS when the URL is https;
    /// credentials are sent up front (Basic), as no challenge can be answered here.
    public func fetchRaw(_ request: DAVRequest, limit: Int = 64 << 20) async throws -> [UInt8] {
        let prepared = try prepare(request)
        let sent = requestInfo(request, prepared, authorization: initialAuthorization(for: request, prepared))
        var text = "\(request.method) \(prepared.target) HTTP/1.1\r\n"
        for field in sent.wire where field.name.lowercased() != "connection" { text += "\(field.name): \(field.value)\r\n" }
        text += "Connection: close\r\n\r\n"
        let bytes = Array(text.utf8) + request.body
        // One loop for the connection, its handler and the promise, so that every completion (including
        // a connect that fails before the handler sees anything) happens on the same thread.
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let reader = RawAnswerReader(limit: limit, on: loop)
        let tls = prepared.scheme == "https" ? try NIOSSLContext(configuration: tlsConfiguration) : nil
        let serverName = prepared.host.contains(":") || prepared.host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : prepared.host
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(Self.timeAmount(configuration.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                    try channel.pipeline.syncOperations.addHandler(reader)
                }
            }
        let endpoint = prepared.endpoint
        var connected: (any Channel)?
        do {
            let channel = try await bootstrap.connect(host: prepared.host, port: prepared.port).get()
            connected = channel
            let silence = Self.timeAmount(configuration.readTimeout)
            reader.armTimeout(on: channel, after: silence)
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
            return try await reader.result.get()
        } catch {
            // The reader's promise must be completed on every path, or NIO reports it leaked.
            reader.abandon(because: error)
            connected?.close(promise: nil)
            throw DAVClientError.from(error, host: prepared.host, endpoint: endpoint, scheme: prepared.scheme, timeouts: configuration)
        }
    }
}

/// Collects whatever arrives until the peer closes, the limit is reached or the line stays silent too long.
final class RawAnswerReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let limit: Int
    private var received: [UInt8] = []
    private var finished = false
    private var silence: TimeAmount = .seconds(30)
    private var timer: Scheduled<Void>?
    private let promise: EventLoopPromise<[UInt8]>

    private let loop: any EventLoop

    init(limit: Int, on loop: any EventLoop) {
        self.limit = limit
        self.loop = loop
        promise = loop.makePromise(of: [UInt8].self)
    }

    /// Ends the reading with `error` when the exchange failed before or outside the handler (no
    /// connection, a failed write); a no-op when an answer already completed it.
    func abandon(because error: any Error) {
        loop.execute { self.finish(.failure(error)) }
    }

    /// What was received, when the connection ends.
    var result: EventLoopFuture<[UInt8]> { promise.futureResult }

    func armTimeout(on channel: any Channel, after silence: TimeAmount) {
        channel.eventLoop.execute {
            self.silence = silence
            self.restartTimer(channel)
        }
    }

    private func restartTimer(_ channel: any Channel) {
        timer?.cancel()
        timer = channel.eventLoop.scheduleTask(in: silence) { [self] in
            // Silence: what came is the answer (a body without an end), or nothing came at all.
            if received.isEmpty {
                finish(.failure(DAVClientError.timeout("no byte came within the read timeout")))
            } else {
                finish(.success(received))
            }
            channel.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let take = min(buffer.readableBytes, limit - received.count)
        if take > 0, let bytes = buffer.readBytes(length: take) { received += bytes }
        restartTimer(context.channel)
        if received.count >= limit {
            finish(.success(received))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        finish(.success(received))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset after the answer still leaves the answer; before it, the error is the story.
        if received.isEmpty { finish(.failure(error)) } else { finish(.success(received)) }
        context.close(promise: nil)
    }

    private func finish(_ outcome: Result<[UInt8], any Error>) {
        guard !finished else { return }
        finished = true
        promise.completeWith(outcome)
    }
}
