import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A TCP connection to a server on 127.0.0.1 that puts bytes on the wire exactly as given.
///
/// HTTP clients normalise what hostile tests need to send as is: `/a/../b`, a raw backslash, `%00`,
/// absolute-form targets, header blocks of any size, a request trickled one byte at a time. Reads block
/// with a timeout, so call these from a thread of their own (``offThePool(_:)``), never from a task of
/// the cooperative pool the server under test runs on.
final class RawHTTPConnection: @unchecked Sendable {
    private let fd: Int32

    init(port: Int, readTimeout: Double = 60) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError("socket() failed: errno \(errno)") }
        var timeout = timeval(tv_sec: Int(readTimeout), tv_usec: Int(readTimeout.truncatingRemainder(dividingBy: 1) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw RawHTTPError("connect to 127.0.0.1:\(port) failed: errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// Sends all of `bytes`; throws when the server has closed the connection.
    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw RawHTTPError("send failed: errno \(errno)") }
            sent += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Reads until the server closes the connection (or the read timeout); nil when nothing came back.
    func readUntilClosed() throws -> [UInt8] {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw RawHTTPError("the server neither answered nor closed in time") }
            if n <= 0 { return received }  // 0: closed; ECONNRESET: closed with unread bytes
            received.append(contentsOf: chunk[..<n])
        }
    }

    /// Reads what has arrived, waiting up to the read timeout; throws when the server closed or sent nothing.
    func readSome() throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
        guard n > 0 else { throw RawHTTPError("the server closed the connection or sent nothing in time") }
        return Array(chunk[..<n])
    }

    /// Whether the server has closed the connection, without waiting and without consuming anything.
    var isClosedByServerNow: Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK))
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
    }

    /// Whether the server closes the connection within `seconds`, ignoring anything it sends first.
    func isClosedByServer(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var byte: UInt8 = 0
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000)))
            if ready <= 0 { continue }
            let n = recv(fd, &byte, 1, 0)
            if n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN) { return true }
        }
        return false
    }
}

struct RawHTTPError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One HTTP/1.1 response as it came off the wire; a chunked body is decoded.
struct RawHTTPResponse: Sendable {
    let status: Int
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// Parses the first response in `bytes`; nil when the server sent nothing or no complete head.
    init?(_ bytes: [UInt8]) {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.firstRange(of: separator) else { return nil }
        let lines = String(decoding: bytes[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else { return nil }
        self.status = status
        headers = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let rest = Array(bytes[end.upperBound...])
        if headers.contains(where: { $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased().contains("chunked") }) {
            body = Self.dechunk(rest)
        } else if let length = headers.first(where: { $0.name.lowercased() == "content-length" }).flatMap({ Int($0.value) }) {
            body = Array(rest.prefix(length))
        } else {
            body = rest
        }
    }

    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while let lineEnd = bytes[index...].firstRange(of: [13, 10]) {
            let sizeText = String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            out += bytes[start..<min(bytes.count, start + size)]
            index = min(bytes.count, start + size + 2)
        }
        return out
    }
}

/// Runs blocking socket work on a thread of its own, so the server's tasks keep the cooperative pool.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// Sends one request as raw bytes on a fresh connection and reads the answer until the server closes.
/// nil: the server closed without answering.
func rawExchange(port: Int, _ request: [UInt8]) async throws -> RawHTTPResponse? {
    try await offThePool {
        let connection = try RawHTTPConnection(port: port)
        try? connection.send(request)  // the server may close before the whole request is out
        return RawHTTPResponse(try connection.readUntilClosed())
    }
}

/// `METHOD target HTTP/1.1` with `Host`, `Connection: close`, the extra headers and a body.
/// The target goes out byte for byte: it may hold bytes that are not UTF-8.
func rawRequest(_ method: String, _ target: [UInt8], headers: [(String, String)] = [], body: [UInt8] = []) -> [UInt8] {
    var head = "HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    if !body.isEmpty || ["PUT", "PROPFIND", "PROPPATCH", "LOCK"].contains(method) { head += "Content-Length: \(body.count)\r\n" }
    return Array("\(method) ".utf8) + target + Array(" \(head)\r\n".utf8) + body
}

func rawRequest(_ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []) -> [UInt8] {
    rawRequest(method, Array(target.utf8), headers: headers, body: body)
}
