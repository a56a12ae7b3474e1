import CZlib

/// Removes `Transfer-Encoding: chunked` framing from a body, streaming.
///
/// `curl -i` prints the header but normally saves the body already de-chunked; `curl --raw` keeps the
/// framing. ``looksChunked(_:)`` tells the two apart from the first bytes.
struct ChunkedDecoder {
    private enum State {
        case size, extensionText, sizeLF
        case data(Int)
        case dataCR, dataLF, trailer, trailerLF, done
    }
    private var state = State.size
    private var size = 0
    private var sizeDigits = 0
    private var trailerLineEmpty = true
    private(set) var isComplete = false

    /// The bytes the chunk being read still owes, when the body stopped inside one.
    var owedInChunk: Int? {
        if case .data(let remaining) = state { remaining } else { nil }
    }

    /// Whether an XML body's `prefix` starts with a line that stands where a chunk size belongs but is not
    /// one: short, one token, no markup (`zz\r\n`, `0x1f\r\n`). An XML body `curl -i` saved de-chunked
    /// starts with `<` (after white space), so only a body of another type could start otherwise — the
    /// caller asks only for XML ones (a calendar's `BEGIN:VCALENDAR` is not a chunk size).
    static func startsWithBadSizeLine(_ prefix: UnsafeRawBufferPointer) -> String? {
        guard let end = prefix.firstIndex(of: 0x0A), end > 0, end <= 18 else { return nil }
        let line = prefix[..<end].last == 0x0D ? prefix[..<(end - 1)] : prefix[..<end]
        let token = { (byte: UInt8) in byte > 0x20 && byte < 0x7F && byte != 0x3C && byte != 0x3A }
        guard !line.isEmpty, line.allSatisfy(token) else { return nil }
        return String(decoding: line, as: UTF8.self)
    }

    /// Whether `prefix` starts like a chunk-size line (`1a2b\r\n`, `1a2b;ext\r\n`).
    static func looksChunked(_ prefix: UnsafeRawBufferPointer) -> Bool {
        var digits = 0
        for byte in prefix {
            if Hex.value(byte) != nil {
                digits += 1
                if digits > 16 { return false }
                continue
            }
            return digits > 0 && (byte == 0x0D || byte == 0x0A || byte == 0x3B || byte == 0x20 || byte == 0x09)
        }
        return false
    }

    mutating func decode(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var i = 0
        let n = input.count
        while i < n {
            switch state {
            case .size:
                let b = input[i]
                if let digit = Hex.value(b) {
                    sizeDigits += 1
                    guard sizeDigits <= 15 else { throw DAVCoreError(.malformedCapture, "a chunk size in the chunked body is too large") }
                    size = size * 16 + Int(digit)
                } else if b == 0x3B || b == 0x20 || b == 0x09 {
                    state = .extensionText
                } else if b == 0x0D {
                    state = .sizeLF
                } else if b == 0x0A {
                    try endSizeLine()
                } else {
                    throw DAVCoreError(.malformedCapture, "the chunked body has a malformed chunk-size line")
                }
                i += 1
            case .extensionText:
                if input[i] == 0x0A { try endSizeLine() }
                i += 1
            case .sizeLF:
                guard input[i] == 0x0A else { throw DAVCoreError(.malformedCapture, "the chunked body has a malformed chunk-size line") }
                try endSizeLine()
                i += 1
            case .data(let remaining):
                let take = min(remaining, n - i)
                try sink(UnsafeRawBufferPointer(rebasing: input[i..<(i + take)]))
                i += take
                state = remaining - take == 0 ? .dataCR : .data(remaining - take)
            case .dataCR:
                if input[i] == 0x0D {
                    state = .dataLF
                } else if input[i] == 0x0A {
                    state = .size
                } else {
                    throw DAVCoreError(.malformedCapture, "a chunk of the chunked body is longer than its declared size")
                }
                i += 1
            case .dataLF:
                guard input[i] == 0x0A else { throw DAVCoreError(.malformedCapture, "the chunked body is missing a line break after a chunk") }
                state = .size
                i += 1
            case .trailer:
                let b = input[i]
                if b == 0x0A {
                    if trailerLineEmpty {
                        state = .done
                        isComplete = true
                    }
                    trailerLineEmpty = true
                } else if b != 0x0D {
                    trailerLineEmpty = false
                }
                i += 1
            case .trailerLF:
                i += 1
            case .done:
                return  // anything after the last chunk is ignored
            }
        }
    }

    private mutating func endSizeLine() throws {
        defer {
            size = 0
            sizeDigits = 0
        }
        if size == 0 {
            state = .trailer
            trailerLineEmpty = true
            isComplete = true  // the last-chunk is what matters; trailers are optional
        } else {
            state = .data(size)
        }
    }
}

/// Undoes `Content-Encoding: gzip` or `deflate` with zlib, streaming, with a bound on the output so a
/// compression bomb cannot fill memory or disk (the caller's parser has its own limits too).
final class Inflater {
    private var stream = z_stream()
    private var ready = false
    private var finished = false
    private var output = [UInt8](repeating: 0, count: 256 << 10)
    private(set) var inputBytes = 0

    /// Gzip or zlib framing are detected from the header; raw deflate (as some servers send for
    /// `deflate`) is used when neither header is present.
    static func looksCompressed(_ prefix: UnsafeRawBufferPointer) -> Bool {
        guard prefix.count >= 2 else { return false }
        if prefix[0] == 0x1F && prefix[1] == 0x8B { return true }
        return prefix[0] & 0x0F == 8 && (UInt16(prefix[0]) << 8 | UInt16(prefix[1])) % 31 == 0
    }

    func inflate(_ input: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !input.isEmpty, !finished else { return }
        if !ready {
            let rawDeflate = !Self.looksCompressed(input)
            let status = inflateInit2_(&stream, rawDeflate ? -15 : 47, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else { throw DAVCoreError(.malformedCapture, "zlib could not start decompressing the body") }
            ready = true
        }
        inputBytes += input.count
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        repeat {
            let produced: Int = try output.withUnsafeMutableBytes { out in
                stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(out.count)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                if status == Z_STREAM_END {
                    finished = true
                } else if status != Z_OK && status != Z_BUF_ERROR {
                    throw DAVCoreError(.malformedCapture, "the compressed body is corrupt (zlib status \(status))")
                }
                return out.count - Int(stream.avail_out)
            }
            if produced > 0 {
                try output.withUnsafeBytes { try sink(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            }
            if finished || produced == 0 { break }
        } while stream.avail_in > 0 || stream.avail_out == 0
    }

    var isComplete: Bool { finished }

    deinit {
        if ready { inflateEnd(&stream) }
    }
}
