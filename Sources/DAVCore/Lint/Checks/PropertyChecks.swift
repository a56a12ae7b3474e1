/// RFC 4918 §15: the values of live properties that clients parse.
enum PropertyChecks {
    /// `isCollection`: the response's ``Response/isCollection``, when the caller has it already.
    static func check(_ response: Response, isCollection: Bool? = nil, at location: String, into linter: inout Linter) {
        for propstat in response.propstats where propstat.status?.code.map({ (200..<300).contains($0) }) ?? false {
            // By index, not `for property in`: the loop would copy every property (names, value, attributes).
            let properties = propstat.properties
            for index in properties.indices {
                switch properties[index].live {
                case .getlastmodified:
                    // Checked as bytes in place; the trimmed string is made only for a report.
                    let text = properties[index].text
                    if !linter.valuesExpected, !text.hasNonWhitespace { continue }
                    if !text.withTrimmedASCIIBytes({ HTTPDate.isIMFFixdate(bytes: $0) }) {
                        linter.report(LintRules.lastModifiedFormat, "getlastmodified is \"\(text.trimmingASCIIWhitespace())\"", at: location)
                    }
                case .creationdate:
                    let text = properties[index].text
                    if !text.withTrimmedASCIIBytes({ $0.isEmpty || HTTPDate.isRFC3339(bytes: $0) }) {
                        linter.report(LintRules.creationDateFormat, "creationdate is \"\(text.trimmingASCIIWhitespace())\"", at: location)
                    }
                case .getcontentlength:
                    let text = properties[index].text
                    if !linter.valuesExpected, !text.hasNonWhitespace { continue }
                    // A calendar or address book has a GET representation (the whole collection as one
                    // iCalendar or vCard file, in Radicale and Xandikos): its length is that file's.
                    if isCollection ?? response.isCollection, !Self.isCalendarOrAddressBook(response) {
                        let value = text.trimmingASCIIWhitespace()
                        linter.report(LintRules.collectionContentLength, "the collection \(location) reports getcontentlength \(value)", at: location)
                    } else if !text.withTrimmedASCIIBytes(Self.isContentLength) {
                        linter.report(LintRules.contentLengthValue, "getcontentlength is \"\(text.trimmingASCIIWhitespace())\"", at: location)
                    }
                default:
                    break
                }
            }
        }
    }

    static func isCalendarOrAddressBook(_ response: Response) -> Bool {
        guard let type = response.value(of: DAV.resourcetype) else { return false }
        return type.child(CalDAV.calendar) != nil || type.child(CardDAV.addressbook) != nil
    }

    /// Empty, or what `Int64(value)` accepts without a `-`: an optional `+`, then decimal digits that fit.
    static func isContentLength(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.isEmpty { return true }
        let digits = bytes[0] == 0x2B ? bytes.dropFirst() : bytes[...]
        guard !digits.isEmpty else { return false }
        var value: UInt64 = 0
        for byte in digits {
            guard byte >= 0x30, byte <= 0x39 else { return false }
            value = value * 10 + UInt64(byte - 0x30)
            if value > UInt64(Int64.max) { return false }
        }
        return true
    }
}
