/// Questions the collector asks of every response's path, answered from its UTF-8 bytes in place: a
/// String's own `hasSuffix` and `utf8.contains(where:)` walk characters or indices one at a time.
extension String {
    /// `hasSuffix("/")`, from the last two bytes when they settle it: a `/` after an ASCII byte (or alone)
    /// is a character of its own; after a byte from 0x80 up it may end a longer one (a prepended mark), so
    /// the string comparison answers.
    var endsWithSlash: Bool {
        let settled = utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
            guard let last = bytes.last, last == 0x2F else { return false }
            return bytes.count == 1 || bytes[bytes.count - 2] < 0x80 ? true : nil
        }
        if let settled = settled ?? nil { return settled }
        return hasSuffix("/")
    }

    /// Whether a byte below 0x20 (a control character) is in the string.
    var containsControlByte: Bool {
        utf8.withContiguousStorageIfAvailable { bytes in bytes.contains { $0 < 0x20 } } ?? utf8.contains { $0 < 0x20 }
    }
}
