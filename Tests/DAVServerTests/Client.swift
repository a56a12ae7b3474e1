import DAVCore
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

@testable import DAVServer

/// A shorter way to send WebDAV requests through HummingbirdTesting.
extension TestClientProtocol {
    @discardableResult
    func send(_ method: String, _ uri: String, headers: [String: String] = [:], body: String? = nil) async throws -> TestResponse {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        return try await executeRequest(
            uri: uri, method: HTTPRequest.Method(method)!, headers: fields, body: body.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var code: Int { status.code }

    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }

    /// The 207 body, parsed by DAVCore's own parser.
    func multiStatus() throws -> MultiStatus { try MultiStatusParser.parse(text) }
}

/// Builds the application for a fixture.
func makeApp(_ fixture: ServerFixture) -> some ApplicationProtocol {
    Application(responder: DAVResponder(options: fixture.options), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
}

let propfindAll = #"<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>"#

func lockBody(_ scope: String = "exclusive") -> String {
    #"<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:\#(scope)/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>tester</D:owner></D:lockinfo>"#
}
