#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension String {
    /// Whether the string's UTF-8 holds `byte`: one `memchr`, where `utf8.contains` walks a
    /// `String.UTF8View` index by index (paths and hrefs are scanned once per response of millions).
    public func utf8ContainsByte(_ byte: UInt8) -> Bool {
        let found = utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress else { return false }
            return memchr(base, Int32(byte), bytes.count) != nil
        }
        return found ?? utf8.contains(byte)
    }
}

extension String {
    /// Calls `body` with the string's UTF-8 without leading and trailing spaces, tabs, CR and LF, read in
    /// place: checking a date or a size this way makes no new string, as ``trimmingASCIIWhitespace()`` does.
    public func withTrimmedASCIIBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        var copy = self
        return try copy.withUTF8 { bytes in
            var start = 0
            var end = bytes.count
            while start < end, isSpace(bytes[start]) { start += 1 }
            while end > start, isSpace(bytes[end - 1]) { end -= 1 }
            return try body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
    }

    /// Whether the string holds anything but ASCII white space.
    public var hasNonWhitespace: Bool { withTrimmedASCIIBytes { !$0.isEmpty } }
}
