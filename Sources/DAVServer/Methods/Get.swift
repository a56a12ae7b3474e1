import DAVCore
import HTTPTypes
import Hummingbird

extension DAVResponder {
    /// GET and HEAD: files streamed with ETag, Last-Modified, conditional requests and one byte range;
    /// a collection answers with a small HTML index, never a 207. The lookups, the open and a small body's
    /// read are one trip to the ``BlockingPool``. A large body from a file goes out with sendfile(2) through
    /// ``FileRegionHandoff``; any other is read on the pool 256 KiB at a time.
    func handleGet(_ exchange: ServerExchange, head: Bool) async throws -> Response {
        try await BlockingPool.run { try getResponse(exchange, head: head) }
    }

    private func getResponse(_ exchange: ServerExchange, head: Bool) throws -> Response {
        let path = exchange.path
        try authorize(exchange, .read, path)
        guard let info = try options.storage.info(at: path) else { throw DAVError.notFound() }
        var headers = HTTPFields()
        headers[.eTag] = info.etag
        headers[.lastModified] = HTTPDate.rfc1123(info.modified)
        if let failure = try conditionalFailure(exchange, info: info, isRead: true) { return failure(headers) }
        if info.isCollection { return try collectionIndex(exchange, info: info, head: head) }

        headers[.contentType] = MediaTypes.type(for: path.name)
        headers[.acceptRanges] = "bytes"
        var start: Int64 = 0
        var length = info.size
        var status = HTTPResponse.Status.ok
        if let rangeHeader = exchange.header("Range"), rangeApplies(exchange, info: info) {
            switch Self.parseRange(rangeHeader, size: info.size) {
            case .none: break
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(info.size)"
                headers[.contentLength] = "0"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            case .range(let first, let last):
                start = first
                length = last - first + 1
                status = .partialContent
                headers[.contentRange] = "bytes \(first)-\(last)/\(info.size)"
            }
        }
        headers[.contentLength] = String(length)
        if head { return Response(status: status, headers: headers) }
        let reader = try options.storage.openForReading(path)
        if length <= 256 << 10 {
            // Small bodies go out with the head in one write.
            var buffer = ByteBufferAllocator().buffer(capacity: Int(length))
            var offset = start
            while offset < start + length {
                let count = try reader.read(offset: offset, length: Int(start + length - offset), into: &buffer)
                if count == 0 { break }
                offset += Int64(count)
            }
            headers[.contentLength] = String(buffer.readableBytes)
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buffer))
        }
        let (from, count) = (start, length)
        let (handoff, channel) = (options.fileRegions, exchange.channel)
        let body = ResponseBody(contentLength: Int(count)) { writer in
            // Filed only now that the body is being written, so that an answer never written files nothing.
            if let file = reader as? any FileContentReader, let channel,
                let marker = handoff.marker(for: file, offset: from, length: count, on: channel)
            {
                do {
                    try await writer.write(marker)
                } catch {
                    handoff.withdraw(marker, on: channel)
                    throw error
                }
            } else {
                try await Self.writeBuffered(reader, from: from, count: count, to: &writer)
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// A large body read on the ``BlockingPool`` 256 KiB at a time: for a storage whose content is not an
    /// open file, or a connection that cannot send a file region.
    private static func writeBuffered(_ reader: any ContentReader, from: Int64, count: Int64, to writer: inout any ResponseBodyWriter)
        async throws
    {
        var offset = from
        let end = from + count
        while offset < end {
            let chunk = Int(min(Int64(256 << 10), end - offset))
            let at = offset
            let buffer = try await BlockingPool.run {
                var buffer = ByteBufferAllocator().buffer(capacity: chunk)
                _ = try reader.read(offset: at, length: chunk, into: &buffer)
                return buffer
            }
            if buffer.readableBytes == 0 { break }
            offset += Int64(buffer.readableBytes)
            try await writer.write(buffer)
        }
    }

    enum ByteRange {
        case none
        case unsatisfiable
        case range(Int64, Int64)
    }

    /// One `bytes=` range (RFC 9110 §14.1.2); several ranges or a malformed header are ignored (full content).
    static func parseRange(_ header: String, size: Int64) -> ByteRange {
        let value = header.trimmingASCIIWhitespace()
        guard value.lowercased().hasPrefix("bytes=") else { return .none }
        let spec = value.dropFirst(6).trimmingASCIIWhitespace()
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .none }
        let first = spec[..<dash].trimmingASCIIWhitespace()
        let last = spec[spec.index(after: dash)...].trimmingASCIIWhitespace()
        if first.isEmpty {
            guard let suffix = Int64(last), suffix > 0 else { return last == "0" ? .unsatisfiable : .none }
            if size == 0 { return .unsatisfiable }
            return .range(max(0, size - suffix), size - 1)
        }
        guard let from = Int64(first) else { return .none }
        let to = last.isEmpty ? size - 1 : (Int64(last) ?? -1)
        guard to >= from else { return last.isEmpty ? .unsatisfiable : .none }
        guard from < size else { return .unsatisfiable }
        return .range(from, min(to, size - 1))
    }

    /// If-Range: the range applies only while the entity tag or date still matches.
    private func rangeApplies(_ exchange: ServerExchange, info: ResourceInfo) -> Bool {
        guard let ifRange = exchange.header("If-Range")?.trimmingASCIIWhitespace() else { return true }
        if ifRange.hasPrefix("\"") || ifRange.hasPrefix("W/") { return ifRange == info.etag }
        guard let date = HTTPDate.parse(ifRange).map(Double.init) else { return false }
        return info.modified.rounded(.down) <= date
    }

    /// RFC 9110 §13 preconditions: If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since.
    /// Returns a builder of the 304 or 412 response, or nil when the request may go on.
    func conditionalFailure(_ exchange: ServerExchange, info: ResourceInfo?, isRead: Bool) throws -> ((HTTPFields) -> Response)? {
        func list(_ value: String) -> [String] {
            value.split(separator: ",").map { $0.trimmingASCIIWhitespace() }
        }
        let fail412: (HTTPFields) -> Response = { _ in Self.render(DAVError(412, "the precondition failed"), method: exchange.request.method) }
        if let ifMatch = exchange.header("If-Match") {
            let tags = list(ifMatch)
            guard let info else { return fail412 }
            if !tags.contains("*") && !tags.contains(where: { $0 == info.etag }) { return fail412 }
        } else if let since = exchange.header("If-Unmodified-Since").flatMap(HTTPDate.parse).map(Double.init), let info {
            if info.modified.rounded(.down) > since { return fail412 }
        }
        if let ifNoneMatch = exchange.header("If-None-Match") {
            let tags = list(ifNoneMatch)
            if let info, tags.contains("*") || tags.contains(where: { Self.etagMatches(info.etag, $0) }) {
                if isRead {
                    return { headers in
                        var headers = headers
                        headers[.contentLength] = nil
                        return Response(status: .notModified, headers: headers)
                    }
                }
                return fail412
            }
        } else if isRead, let since = exchange.header("If-Modified-Since").flatMap(HTTPDate.parse).map(Double.init), let info {
            if info.modified.rounded(.down) <= since {
                return { headers in Response(status: .notModified, headers: headers) }
            }
        }
        return nil
    }

    private func collectionIndex(_ exchange: ServerExchange, info: ResourceInfo, head: Bool) throws -> Response {
        let path = exchange.path
        var names = try options.storage.memberNames(of: path).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        names = names.filter { options.access.allows(exchange.user, .read, path.appending($0)) }
        func escape(_ text: String) -> String { XMLText.escapeText(text).replacingOccurrences(of: "\"", with: "&quot;") }
        var html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of \(escape(path.description))</title></head><body>\n"
        html += "<h1>Index of \(escape(path.description))</h1>\n<ul>\n"
        if let parent = path.parent { html += "<li><a href=\"\(parent.href(isCollection: true))\">../</a></li>\n" }
        for name in names {
            let child = path.appending(name)
            let isCollection = (try? options.storage.info(at: child))??.isCollection ?? false
            html += "<li><a href=\"\(escape(child.href(isCollection: isCollection)))\">\(escape(name))\(isCollection ? "/" : "")</a></li>\n"
        }
        html += "</ul></body></html>\n"
        let bytes = Array(html.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.contentLength] = String(bytes.count)
        headers[.eTag] = info.etag
        return Response(status: .ok, headers: headers, body: head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
