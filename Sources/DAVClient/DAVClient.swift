import AsyncHTTPClient
import DAVCore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// Sends WebDAV requests over one AsyncHTTPClient `HTTPClient` and returns what came back as evidence.
///
/// ```swift
/// try await DAVClient.withClient(configuration: .init(credentials: Credentials(user: "alice", password: pw))) { client in
///     let answer = try await client.send(.propfind("https://example.org/dav/", depth: .one))
///     var parser = MultiStatusParser()
///     _ = try await client.stream(.propfind(url, depth: .infinity)) { head in … } onBody: { bytes in
///         try parser.feed(bytes) { response in … }
///     }
/// }
/// ```
///
/// Every request is sent once, as given, plus at most one more when authentication asks for it (see
/// ``Authentication``). Redirects come back as answers. ``shutdown()`` must be called once before the
/// client is released (AsyncHTTPClient checks this); ``withClient(configuration:_:)`` does it on every path.
public final class DAVClient: Sendable {
    public let configuration: Configuration
    private let http: HTTPClient
    /// The TLS settings of every connection, kept for ``fetchRaw(_:limit:)``, which connects by itself.
    let tlsConfiguration: TLSConfiguration
    /// The latest Digest challenge per origin and user, so later requests answer it at once.
    private let digestSessions = Locked<[String: DigestSession]>([:])

    struct DigestSession {
        var challenge: DigestChallenge
        var nonceCount: Int
    }

    /// Throws ``DAVClientError/tls`` when the CA certificate file cannot be read as PEM.
    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        var tls = TLSConfiguration.makeClientConfiguration()
        if configuration.insecure { tls.certificateVerification = .none }
        if let path = configuration.caCertificate {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw DAVClientError.tls("cannot read the CA certificate \(path) (a PEM file is expected)")
            }
            guard !certificates.isEmpty else { throw DAVClientError.tls("\(path) holds no PEM certificate") }
            tls.additionalTrustRoots = [.certificates(certificates)]
        }
        tlsConfiguration = tls
        var settings = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: Self.timeAmount(configuration.connectTimeout), read: Self.timeAmount(configuration.readTimeout)),
            decompression: .disabled
        )
        // Fail at once with the real cause (refused, DNS) instead of retrying until the connect timeout.
        settings.connectionPool.retryConnectionEstablishment = false
        settings.httpVersion = .http1Only
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: settings)
    }

    /// Closes the connections. Call it once, before the client is released.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Runs `body` with a new client and shuts it down once, before returning, whether `body` returned or
    /// threw: no second shutdown (AsyncHTTPClient refuses it), none left to a task that outlives the caller.
    public static func withClient<Value>(
        configuration: Configuration, _ body: (DAVClient) async throws -> Value
    ) async throws -> Value {
        let client = try DAVClient(configuration: configuration)
        let outcome: Result<Value, any Error>
        do {
            outcome = .success(try await body(client))
        } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success: try await client.shutdown()
        case .failure: try? await client.shutdown()  // the body's error is the one worth reporting
        }
        return try outcome.get()
    }

    // MARK: - Sending

    /// Sends `request` and reads the whole answer into memory.
    ///
    /// - Parameters:
    ///   - bodyLimit: the most body bytes held; a larger body throws ``DAVClientError/bodyTooLarge``
    ///     (use ``stream(_:recorder:onHead:onBody:)`` for big listings).
    ///   - recorder: where to save the exchange (and any 401 that preceded it), for `--save DIR`.
    /// - Throws: ``DAVClientError`` for network failures; an HTTP error status is an answer, not an error.
    public func send(_ request: DAVRequest, bodyLimit: Int = 64 << 20, recorder: ExchangeRecorder? = nil) async throws -> RecordedExchange {
        let prepared = try prepare(request)
        var authorization = initialAuthorization(for: request, prepared)
        var attempts: [RecordedExchange] = []
        while true {
            let info = requestInfo(request, prepared, authorization: authorization)
            var head: ResponseHead?
            var body: [UInt8] = []
            let timings = try await execute(request, prepared, info: info) {
                head = $0
            } onBody: { chunk in
                guard body.count + chunk.count <= bodyLimit else { throw DAVClientError.bodyTooLarge(limit: bodyLimit) }
                body.append(contentsOf: chunk)
            }
            var exchange = RecordedExchange(
                request: info.redacted, requestTarget: prepared.target, authenticationScheme: authorization?.scheme,
                response: head!, body: body, timings: timings
            )
            if attempts.isEmpty, let retry = retryAuthorization(for: request, prepared, sent: authorization, response: head!) {
                attempts.append(exchange)
                authorization = retry
                continue
            }
            exchange.earlierAttempts = attempts
            if let recorder { try recorder.record(exchange) }
            return exchange
        }
    }

    /// Sends `request` and hands the body to `onBody` as it arrives, in constant memory: for a Depth
    /// infinity PROPFIND fed straight into `MultiStatusParser`.
    ///
    /// `onHead` is called once, with the final answer's head (a 401 answered by a Digest retry is read and
    /// dropped, or saved to `recorder`). Errors thrown by the callbacks stop the transfer and are rethrown
    /// unchanged. The body is as received: a gzip content coding is not removed.
    @discardableResult
    public func stream(
        _ request: DAVRequest,
        recorder: ExchangeRecorder? = nil,
        onHead: (ResponseHead) throws -> Void,
        onBody: (UnsafeRawBufferPointer) throws -> Void
    ) async throws -> ExchangeTimings {
        let prepared = try prepare(request)
        var authorization = initialAuthorization(for: request, prepared)
        var retried = false
        while true {
            let info = requestInfo(request, prepared, authorization: authorization)
            var retry: Authorization?
            var retryHead: ResponseHead?
            var retryBody: [UInt8] = []
            var recording: StreamRecording?
            let timings: ExchangeTimings
            do {
                timings = try await execute(request, prepared, info: info) { head in
                    if !retried, let next = retryAuthorization(for: request, prepared, sent: authorization, response: head) {
                        retry = next
                        retryHead = head
                        return
                    }
                    if let recorder {
                        recording = try recorder.beginStream(
                            request: info.redacted, requestTarget: prepared.target, authenticationScheme: authorization?.scheme)
                        try recording?.head(head)
                    }
                    try onHead(head)
                } onBody: { bytes in
                    if retry != nil {
                        // The challenge's body: kept (bounded) only for the record.
                        if retryBody.count + bytes.count <= 1 << 20 { retryBody.append(contentsOf: bytes) }
                        return
                    }
                    try recording?.body(bytes)
                    try onBody(bytes)
                }
            } catch {
                _ = try? recording?.finish(timings: nil, error: error)
                throw error
            }
            if let next = retry, let head = retryHead {
                if let recorder {
                    try recorder.record(
                        RecordedExchange(
                            request: info.redacted, requestTarget: prepared.target, authenticationScheme: authorization?.scheme,
                            response: head, body: retryBody, timings: timings
                        ))
                }
                authorization = next
                retried = true
                continue
            }
            try recording?.finish(timings: timings)
            return timings
        }
    }

    // MARK: - One exchange

    private struct CallbackFailure: Error {
        var underlying: any Error
    }

    /// Sends one request and calls back with the head and the body; maps transport errors.
    private func execute(
        _ request: DAVRequest,
        _ prepared: PreparedRequest,
        info: SentRequest,
        onHead: (ResponseHead) throws -> Void,
        onBody: (UnsafeRawBufferPointer) throws -> Void
    ) async throws -> ExchangeTimings {
        var outgoing = HTTPClientRequest(url: prepared.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        outgoing.headers = HTTPHeaders(info.wire.fields.filter { $0.name.lowercased() != "content-length" })
        if !request.body.isEmpty { outgoing.body = .bytes(ByteBuffer(bytes: request.body)) }

        configuration.logger.debug("→ \(request.method) \(prepared.url)")
        var stopwatch = ExchangeStopwatch()
        let response: HTTPClientResponse
        do {
            response = try await http.execute(outgoing, timeout: Self.timeAmount(configuration.requestTimeout))
        } catch {
            let failure = mapError(error, prepared)
            // A kept-alive connection that the server closed just as the request went out fails before any
            // answer. A request that changes nothing is sent once more, on a new connection, as browsers do
            // (RFC 9110 §9.2.2); a server that closes without answering fails the second time too.
            guard Self.isSafe(request.method), (failure as? DAVClientError) == .connectionClosed else { throw failure }
            configuration.logger.debug("↻ \(request.method) \(prepared.url): the connection closed before an answer; sent again")
            stopwatch = ExchangeStopwatch()
            do {
                response = try await http.execute(outgoing, timeout: Self.timeAmount(configuration.requestTimeout))
            } catch {
                throw mapError(error, prepared)
            }
        }
        stopwatch.markHead()
        var head = ResponseHead(
            version: "HTTP/\(response.version.major).\(response.version.minor)",
            status: Int(response.status.code),
            reason: response.status.reasonPhrase,
            headers: HTTPFields(response.headers.map { (name: $0.name, value: $0.value) })
        )
        head.framingFaults = FramingCheck.parsedHeadFaults(head)
        do {
            do {
                try onHead(head)
            } catch {
                throw CallbackFailure(underlying: error)
            }
            for try await buffer in response.body {
                do {
                    try buffer.withUnsafeReadableBytes { try onBody($0) }
                } catch {
                    throw CallbackFailure(underlying: error)
                }
            }
        } catch let failure as CallbackFailure {
            throw failure.underlying
        } catch let error as DAVClientError {
            throw error
        } catch {
            throw mapError(error, prepared)
        }
        let timings = stopwatch.finish()
        configuration.logger.debug("← \(head.status) \(request.method) \(prepared.url) in \(timings.totalMilliseconds) ms")
        return timings
    }

    /// Methods that change nothing on the server (RFC 9110 §9.2.1; PROPFIND and REPORT read, RFC 4918 and
    /// RFC 3253): sending one twice does no harm.
    static func isSafe(_ method: String) -> Bool {
        ["GET", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "REPORT"].contains(method.uppercased())
    }

    private func mapError(_ error: any Error, _ prepared: PreparedRequest) -> any Error {
        DAVClientError.from(error, host: prepared.host, endpoint: prepared.endpoint, scheme: prepared.scheme, timeouts: configuration)
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    // MARK: - Authentication

    struct Authorization {
        var scheme: String
        var value: String
    }

    /// Whether this client answers a challenge for `request` (or sends credentials up front): the answer it
    /// finally gets was then given to a request that carried Authorization, whatever the request's own headers say.
    public func sendsCredentials(for request: DAVRequest) -> Bool { credentials(for: request) != nil }

    private func credentials(for request: DAVRequest) -> Credentials? {
        request.authentication.isAnonymous ? nil : request.authentication.credentials ?? configuration.credentials
    }

    private func sessionKey(_ prepared: PreparedRequest, _ credentials: Credentials) -> String {
        "\(prepared.scheme)://\(prepared.endpoint) \(credentials.user)"
    }

    /// What the first attempt carries: nothing (anonymous, on-challenge, no credentials), Digest when this
    /// origin has challenged before, else Basic.
    func initialAuthorization(for request: DAVRequest, _ prepared: PreparedRequest) -> Authorization? {
        guard request.authentication.mode == .preemptive, let credentials = credentials(for: request) else { return nil }
        if let digest = digestAuthorization(request, prepared, credentials, newChallenge: nil) { return digest }
        return Authorization(scheme: "Basic", value: credentials.basicAuthorization)
    }

    /// The authorization for a second attempt after `response`, or nil when the answer stands: not a 401,
    /// anonymous, no credentials, or the server asks for the scheme we already sent (a wrong password).
    private func retryAuthorization(for request: DAVRequest, _ prepared: PreparedRequest, sent: Authorization?, response: ResponseHead)
        -> Authorization?
    {
        guard response.status == 401, !request.authentication.isAnonymous, let credentials = credentials(for: request) else { return nil }
        let values = response.headers.values("WWW-Authenticate")
        if let digest = DigestChallenge.best(in: values) {
            if sent?.scheme == "Digest", !digest.stale { return nil }
            return digestAuthorization(request, prepared, credentials, newChallenge: digest)
        }
        let offersBasic = AuthenticationChallenge.parse(values).contains { $0.isScheme("Basic") }
        if offersBasic, sent?.scheme != "Basic" {
            return Authorization(scheme: "Basic", value: credentials.basicAuthorization)
        }
        return nil
    }

    /// A Digest answer using `newChallenge` (remembered for this origin), or the remembered one.
    private func digestAuthorization(_ request: DAVRequest, _ prepared: PreparedRequest, _ credentials: Credentials, newChallenge: DigestChallenge?)
        -> Authorization?
    {
        let key = sessionKey(prepared, credentials)
        let session: DigestSession? = digestSessions.withLock { sessions in
            if let newChallenge { sessions[key] = DigestSession(challenge: newChallenge, nonceCount: 0) }
            guard var session = sessions[key] else { return nil }
            session.nonceCount += 1
            sessions[key] = session
            return session
        }
        guard let session else { return nil }
        let value = session.challenge.authorization(
            credentials: credentials, method: request.method, uri: prepared.target, body: request.body, nonceCount: session.nonceCount
        )
        return Authorization(scheme: "Digest", value: value)
    }
}
