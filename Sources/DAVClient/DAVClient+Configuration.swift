import Logging

extension DAVClient {
    /// How the client connects: timeouts, TLS trust, who it is, who it authenticates as.
    ///
    /// Not configurable on purpose: redirects are never followed (a 301 to the trailing-slash URL is
    /// evidence, so it comes back as the answer); bodies are never decompressed (kept as the server sent
    /// them); HTTP/1.1 only (the saved exchanges are HTTP/1.1 text).
    public struct Configuration: Sendable {
        /// Longest wait for a TCP (and TLS) connection.
        public var connectTimeout: Duration
        /// Longest silence while waiting for the response head or the next body bytes.
        public var readTimeout: Duration
        /// Longest wait from sending to the response head, whatever trickles in meanwhile.
        public var requestTimeout: Duration
        /// Skip TLS certificate verification (`--insecure`). The connection is still encrypted, but to
        /// whoever answers.
        public var insecure: Bool
        /// A PEM file of CA certificates trusted in addition to the system's (`--cacert`).
        public var caCertificate: String?
        public var userAgent: String
        /// Used for requests whose ``Authentication`` is ``Authentication/default``.
        public var credentials: Credentials?
        /// Debug lines for each exchange (method, URL, status, time); header values are never logged.
        public var logger: Logger

        public init(
            connectTimeout: Duration = .seconds(10),
            readTimeout: Duration = .seconds(30),
            requestTimeout: Duration = .seconds(120),
            insecure: Bool = false,
            caCertificate: String? = nil,
            userAgent: String = "davdoctor/0.1",
            credentials: Credentials? = nil,
            logger: Logger = Logger(label: "davdoctor.client")
        ) {
            self.connectTimeout = connectTimeout
            self.readTimeout = readTimeout
            self.requestTimeout = requestTimeout
            self.insecure = insecure
            self.caCertificate = caCertificate
            self.userAgent = userAgent
            self.credentials = credentials
            self.logger = logger
        }
    }
}
