import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A server on 127.0.0.1 that answers every connection with fixed bytes chosen by the request path, with
/// no HTTP library in between: how a test meets an answer whose framing no HTTP server would write (both
/// Transfer-Encoding and Content-Length, a header line without a colon, chunking on HTTP/1.0 …).
public final class RawAnswerServer: @unchecked Sendable {
    public let port: Int
    private let listener: Int32
    private let answers: [String: [UInt8]]
    private let thread: Thread

    /// `answers`: request path (`/te-and-cl/`), or method and path (`OPTIONS /docs/`, which wins) → the bytes
    /// sent back before the connection is closed.
    public init(answers: [String: [UInt8]]) throws {
        self.answers = answers
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        listener = fd
        let table = answers
        thread = Thread {
            while true {
                let connection = accept(fd, nil, nil)
                if connection < 0 { return }  // the listener was closed: stop
                Self.serve(connection, table)
            }
        }
        thread.start()
    }

    /// Reads the request head and its body (by Content-Length), sends the answer for its path (or a plain
    /// 404), and closes. The body is read first because a socket closed with unread bytes sends a reset,
    /// which may reach the client before it has read the answer: the client would lose it (a PROPFIND's body
    /// may arrive in a second segment, after the head was read).
    private static func serve(_ connection: Int32, _ answers: [String: [UInt8]]) {
        defer { close(connection) }
        var patience = timeval(tv_sec: 5, tv_usec: 0)  // a request that stops short ends the wait, not the test
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &patience, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var headEnd: Int?
        while headEnd == nil {
            let count = read(connection, &buffer, buffer.count)
            if count <= 0 { break }
            received += buffer[0..<count]
            headEnd = Self.endOfHead(received)
            if received.count > 1 << 20 { break }
        }
        if let headEnd {
            let bodyLength = min(Self.contentLength(received[..<headEnd]) ?? 0, 1 << 20)
            while received.count - headEnd < bodyLength {
                let count = read(connection, &buffer, buffer.count)
                if count <= 0 { break }
                received += buffer[0..<count]
            }
        }
        let requestLine = String(decoding: received.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self).split(separator: " ")
        let path = requestLine.count > 1 ? String(requestLine[1]) : "/"
        let method = requestLine.first.map(String.init) ?? ""
        let answer =
            answers["\(method) \(path)"] ?? answers[path] ?? Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)
        var offset = 0
        while offset < answer.count {
            let written = answer[offset...].withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
        shutdown(connection, Int32(SHUT_WR))
    }

    /// Where the request's body starts: just after the first empty line, nil before it has arrived.
    static func endOfHead(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count where bytes[index - 3] == 0x0D && bytes[index - 2] == 0x0A && bytes[index - 1] == 0x0D && bytes[index] == 0x0A {
            return index + 1
        }
        return nil
    }

    /// The Content-Length the request head announces, if any.
    static func contentLength(_ head: ArraySlice<UInt8>) -> Int? {
        for line in String(decoding: head, as: UTF8.self).split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" { return Int(parts[1].trimmingCharacters(in: .whitespaces)) }
        }
        return nil
    }

    /// Closes the listener; the accept loop ends.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
