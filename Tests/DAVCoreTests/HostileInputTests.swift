import DAVCore
import Testing

/// Broken and hostile bodies end in a clear error, in bounded time and memory.
struct HostileInputTests {
    static func error(_ body: [UInt8], limits: XMLLimits = XMLLimits()) -> DAVCoreError? {
        do {
            _ = try MultiStatusParser.parse(body, limits: limits)
            return nil
        } catch let error as DAVCoreError {
            return error
        } catch {
            return nil
        }
    }

    @Test(arguments: [
        ("", DAVCoreError.Code.emptyInput),
        ("hello, this is not xml", .notXML),
        (#"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href>"#, .truncated),
        (#"<D:multistatus xmlns:D="DAV:"><D:response><D:hr"#, .truncated),
        (#"<D:error xmlns:D="DAV:"><D:lock-token-submitted/></D:error>"#, .notMultiStatus),
        ("<html><body>403</body></html>", .notMultiStatus),
        ("<!DOCTYPE html><html></html>", .notXML),
        (#"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><m>&x;</m>"#, .doctypeRefused),
        (#"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><multistatus>&lol2;</multistatus>"#, .doctypeRefused),
        (#"<D:multistatus xmlns:D="DAV:"></D:response></D:multistatus>"#, .malformedXML),
        (#"<D:multistatus xmlns:D="DAV:"/><second/>"#, .malformedXML),
        // ISO-8859-1 is read (XMLCharacterTests); other encodings are refused.
        (#"<?xml version="1.0" encoding="Shift_JIS"?><D:multistatus xmlns:D="DAV:"/>"#, .unsupportedEncoding),
    ])
    func brokenBodiesGiveAClearError(_ body: String, _ code: DAVCoreError.Code) {
        let error = Self.error(Array(body.utf8))
        #expect(error?.code == code, "\(body.prefix(40)) → \(String(describing: error))")
        #expect(error.map { !$0.description.contains("\n") } ?? false)
    }

    @Test func deepNestingHitsTheDepthLimit() {
        var body = Array(#"<D:multistatus xmlns:D="DAV:">"#.utf8)
        for _ in 0..<100_000 { body += Array("<a>".utf8) }
        let error = Self.error(body)
        #expect(error?.code == .limitExceeded)
        #expect(error?.message.contains("nesting depth") == true)
    }

    @Test func hugeTextNodeHitsTheTextLimitWhileStreaming() throws {
        var limits = XMLLimits()
        limits.maxTextBytes = 1 << 20
        var parser = MultiStatusParser(limits: limits)
        try parser.feed(Array(#"<D:multistatus xmlns:D="DAV:"><D:response><D:href>"#.utf8)) { _ in }
        let chunk = [UInt8](repeating: 0x61, count: 64 << 10)
        var thrown: DAVCoreError?
        for _ in 0..<64 {
            do { try parser.feed(chunk) { _ in } } catch let error as DAVCoreError {
                thrown = error
                break
            }
        }
        #expect(thrown?.code == .limitExceeded)
        #expect(parser.bytesRead < 4 << 20)
    }

    @Test func hugeTagHitsTheTagLimit() {
        var limits = XMLLimits()
        limits.maxTagBytes = 1024
        let body = Array("<D:multistatus xmlns:D=\"DAV:\" a=\"".utf8) + [UInt8](repeating: 0x61, count: 4096)
        #expect(Self.error(body, limits: limits)?.code == .limitExceeded)
    }

    @Test func tooManyDistinctNamesIsRefused() {
        var limits = XMLLimits()
        limits.maxDistinctNames = 100
        var body = #"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:propstat><D:prop>"#
        for i in 0..<200 { body += "<D:p\(i)/>" }
        #expect(Self.error(Array(body.utf8), limits: limits)?.code == .limitExceeded)
    }
}
