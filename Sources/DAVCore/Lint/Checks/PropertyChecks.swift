/// RFC 4918 §15: the values of live properties that clients parse.
enum PropertyChecks {
    static func check(_ response: Response, at where_: String, into linter: inout Linter) {
        for propstat in response.propstats where propstat.status?.code.map({ (200..<300).contains($0) }) ?? false {
            for property in propstat.properties where property.name.namespace == DAV.namespace {
                switch property.name.name {
                case "getlastmodified":
                    let value = property.text.trimmingASCIIWhitespace()
                    if !HTTPDate.isIMFFixdate(value) {
                        linter.report(LintRules.lastModifiedFormat, "getlastmodified is \"\(value)\"", at: where_)
                    }
                case "creationdate":
                    let value = property.text.trimmingASCIIWhitespace()
                    if !value.isEmpty && !HTTPDate.isRFC3339(value) {
                        linter.report(LintRules.creationDateFormat, "creationdate is \"\(value)\"", at: where_)
                    }
                case "getcontentlength":
                    let value = property.text.trimmingASCIIWhitespace()
                    if response.isCollection {
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
