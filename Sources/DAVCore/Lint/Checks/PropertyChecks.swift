/// RFC 4918 §15: the values of live properties that clients parse.
enum PropertyChecks {
    /// `isCollection`: the response's ``Response/isCollection``, when the caller has it already.
    static func check(_ response: Response, isCollection: Bool? = nil, at where_: String, into linter: inout Linter) {
        for propstat in response.propstats where propstat.status?.code.map({ (200..<300).contains($0) }) ?? false {
            // By index, not `for property in`: the loop would copy every property (names, value, attributes).
            let properties = propstat.properties
            for index in properties.indices {
                switch LiveProperty(properties[index].name) {
                case .getlastmodified:
                    let value = properties[index].text.trimmingASCIIWhitespace()
                    if !HTTPDate.isIMFFixdate(value) {
                        linter.report(LintRules.lastModifiedFormat, "getlastmodified is \"\(value)\"", at: where_)
                    }
                case .creationdate:
                    let value = properties[index].text.trimmingASCIIWhitespace()
                    if !value.isEmpty && !HTTPDate.isRFC3339(value) {
                        linter.report(LintRules.creationDateFormat, "creationdate is \"\(value)\"", at: where_)
                    }
                case .getcontentlength:
                    let value = properties[index].text.trimmingASCIIWhitespace()
                    if isCollection ?? response.isCollection {
                        linter.report(LintRules.collectionContentLength, "the collection \(where_) reports getcontentlength \(value)", at: where_)
                    } else if !value.isEmpty && (Int64(value) == nil || value.hasPrefix("-")) {
                        linter.report(LintRules.contentLengthValue, "getcontentlength is \"\(value)\"", at: where_)
                    }
                default:
                    break
                }
            }
        }
    }
}
