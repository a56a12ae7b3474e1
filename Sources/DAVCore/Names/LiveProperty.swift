#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `DAV:` live properties whose values the lint and the analysis read, told apart by their bytes.
///
/// Worked out for every property the server answers with and every property a tree reader makes (the
/// streaming parser asks once per distinct name). A `switch` on the name compares strings one after another;
/// this is a length switch and one byte comparison: 166 instructions a name instead of 368
/// (scripts/bench/instructions.sh holds it). Comparing bytes gives the same answer as `==` for these names:
/// none holds `K`, `;` or `` ` ``, the only ASCII characters another string can be canonically equal to
/// (U+212A, U+037E, U+1FEF).
public enum LiveProperty: Sendable, Hashable {
    case creationdate, getcontentlength, getetag, getlastmodified, resourcetype, quotaAvailableBytes, quotaUsedBytes

    /// `borrowing`: an initializer otherwise takes its argument owned, which costs a retain and a release
    /// of both strings at every call: `Property(name, text:)` takes 380 instructions instead of 303
    /// (scripts/bench/instructions.sh holds it).
    public init?(_ name: borrowing QualifiedName) {
        guard name.namespace == DAV.namespace else { return nil }
        // nil outside only for a name whose UTF-8 is not contiguous (a bridged string): the switch below reads it.
        let found: LiveProperty?? = name.name.utf8.withContiguousStorageIfAvailable { bytes in
            func equals(_ literal: StaticString) -> Bool {
                bytes.count == literal.utf8CodeUnitCount && memcmp(bytes.baseAddress!, literal.utf8Start, bytes.count) == 0
            }
            switch bytes.count {
            case 7: return equals("getetag") ? .getetag : nil
            case 12: return equals("creationdate") ? .creationdate : equals("resourcetype") ? .resourcetype : nil
            case 15: return equals("getlastmodified") ? .getlastmodified : nil
            case 16: return equals("getcontentlength") ? .getcontentlength : equals("quota-used-bytes") ? .quotaUsedBytes : nil
            case 21: return equals("quota-available-bytes") ? .quotaAvailableBytes : nil
            default: return nil
            }
        }
        if let found {
            guard let found else { return nil }
            self = found
            return
        }
        switch name.name {
        case "getetag": self = .getetag
        case "creationdate": self = .creationdate
        case "resourcetype": self = .resourcetype
        case "getlastmodified": self = .getlastmodified
        case "getcontentlength": self = .getcontentlength
        case "quota-used-bytes": self = .quotaUsedBytes
        case "quota-available-bytes": self = .quotaAvailableBytes
        default: return nil
        }
    }
}
