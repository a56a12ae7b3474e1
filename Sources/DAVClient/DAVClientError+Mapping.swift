import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension DAVClientError {
    /// Translates what AsyncHTTPClient, NIO and NIOSSL throw into our kinds. `endpoint` is `host:port`
    /// and `scheme` the URL's, for the messages. Errors already ours, and cancellation, pass through.
    static func from(_ error: any Error, host: String, endpoint: String, scheme: String, timeouts: DAVClient.Configuration) -> any Error {
        if error is DAVClientError || error is CancellationError { return error }

        if let connection = error as? NIOConnectionError {
            // Happy Eyeballs collects the DNS errors and every failed attempt.
            if connection.connectionErrors.isEmpty, connection.dnsAError != nil || connection.dnsAAAAError != nil {
                return DAVClientError.unreachable(host)
            }
            for attempt in connection.connectionErrors {
                if let mapped = fromSocketError(attempt.error, host: host, endpoint: endpoint) { return mapped }
            }
            return DAVClientError.network("cannot connect to \(endpoint): \(connection)")
        }
        if error is SocketAddressError || error is SocketAddressError.UnknownHost {
            return DAVClientError.unreachable(host)
        }
        if let mapped = fromSocketError(error, host: host, endpoint: endpoint) { return mapped }

        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout:
                return DAVClientError.timeout("no connection to \(endpoint) within \(seconds(timeouts.connectTimeout)) (connect timeout)")
            case .readTimeout:
                return DAVClientError.timeout("\(endpoint) sent nothing for \(seconds(timeouts.readTimeout)) (read timeout)")
            case .writeTimeout:
                return DAVClientError.timeout("\(endpoint) did not accept the request body in time (write timeout)")
            case .deadlineExceeded:
                return DAVClientError.timeout("no answer from \(endpoint) within \(seconds(timeouts.requestTimeout)) (request timeout)")
            case .tlsHandshakeTimeout:
                return DAVClientError.timeout("the TLS handshake with \(endpoint) did not finish in time")
            case .remoteConnectionClosed:
                // Plain HTTP to a TLS port looks exactly like this: the server drops what it cannot read.
                return DAVClientError.connectionClosed(endpoint, hintTLS: scheme == "http")
            case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath:
                return DAVClientError.invalidURL(endpoint, reason: "not an absolute http(s) URL with a host")
            case .cancelled:
                return CancellationError()
            case .alreadyShutdown:
                return DAVClientError.shutDown
            default:
                if String(describing: client).contains("unsupportedScheme") {
                    return DAVClientError.invalidURL(endpoint, reason: "only http:// and https:// are supported")
                }
                if String(describing: client).contains("invalidHeaderField") {
                    return DAVClientError.invalidRequest("a header name or value holds a character HTTP does not allow (\(client))")
                }
                return DAVClientError.network("\(client)")
            }
        }

        if let ssl = error as? NIOSSLError {
            return DAVClientError.tls(tlsReason(ssl, endpoint: endpoint))
        }
        if let ssl = error as? BoringSSLError {
            return DAVClientError.tls("handshake with \(endpoint) failed: \(ssl)")
        }
        if let extra = error as? NIOSSLExtraError {
            return DAVClientError.tls("\(endpoint): \(extra) (use --cacert FILE, or --insecure to skip verification)")
        }
        if error is HTTPParserError {
            // Whether it is TLS (plain HTTP sent to a TLS port gets an alert back) or broken framing shows
            // only in the raw bytes, which the caller reads next (DAVClient.fetchRaw).
            return DAVClientError.unparseable(endpoint, "\(error)")
        }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout:
                return DAVClientError.timeout("no connection to \(endpoint) within \(seconds(timeouts.connectTimeout)) (connect timeout)")
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed:
                return DAVClientError.connectionClosed(endpoint)
            default:
                return DAVClientError.network("\(endpoint): \(channel)")
            }
        }
        if error is NIOTooManyBytesError {
            return DAVClientError.bodyTooLarge
        }
        return DAVClientError.network("\(endpoint): \(error)")
    }

    private static func fromSocketError(_ error: any Error, host: String, endpoint: String) -> DAVClientError? {
        if error is SocketAddressError || error is SocketAddressError.UnknownHost {
            return DAVClientError.unreachable(host)
        }
        if let channel = error as? ChannelError, case .connectTimeout = channel {
            return DAVClientError.timeout("no connection to \(endpoint) (connect timeout)")
        }
        guard let io = error as? IOError else { return nil }
        switch io.errnoCode {
        case ECONNREFUSED: return DAVClientError.connectionRefused(endpoint)
        case EHOSTUNREACH, ENETUNREACH: return DAVClientError.unreachable(host, reason: "no route to the host")
        case ETIMEDOUT: return DAVClientError.timeout("no connection to \(endpoint) (the operating system gave up)")
        case ECONNRESET: return DAVClientError.connectionClosed(endpoint)
        default: return DAVClientError.network("\(endpoint): \(io)")
        }
    }

    private static func tlsReason(_ error: NIOSSLError, endpoint: String) -> String {
        let text = String(describing: error)
        let hint = "(use --cacert FILE to trust its issuer, or --insecure to skip verification)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the certificate of \(endpoint) is not trusted \(hint)"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") || text.contains("HTTP_REQUEST") {
            return "\(endpoint) does not speak TLS (try http://)"
        }
        switch error {
        case .cannotMatchULabel, .unableToValidateCertificate, .noCertificateToValidate:
            return "the certificate of \(endpoint) does not match its name \(hint)"
        case .uncleanShutdown:
            return "\(endpoint) closed the TLS connection without a close_notify"
        default:
            return "handshake with \(endpoint) failed: \(text)"
        }
    }

    private static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
        return "\(milliseconds) ms"
    }
}
