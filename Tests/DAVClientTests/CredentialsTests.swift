import DAVTesting
import Foundation
import Testing

@testable import DAVClient

struct CredentialsTests {
    static let url = "https://dav.example.org:8443/files/"

    func netrcFile(_ text: String) throws -> String {
        let path = try Processes.temporaryDirectory("netrc") + "/netrc"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func userAndPasswordFromTheFlag() throws {
        let credentials = try Credentials.resolve(userFlag: "alice:pa:ss", url: Self.url, environment: [:], netrcPath: "/nonexistent")
        #expect(credentials == Credentials(user: "alice", password: "pa:ss"))
    }

    @Test func passwordFromTheEnvironment() throws {
        let credentials = try Credentials.resolve(
            userFlag: "alice", url: Self.url, environment: ["DAVDOCTOR_PASSWORD": "from-env"], netrcPath: "/nonexistent")
        #expect(credentials == Credentials(user: "alice", password: "from-env"))
    }

    @Test func passwordFromNetrcForTheHostAndLogin() throws {
        let netrc = try netrcFile(
            """
            # comment line
            machine other.example.org login alice password wrong
            machine DAV.example.org
              login bob password bob-pw
            machine dav.example.org login alice password "with space \\"quoted\\""
            default login anon password anon-pw
            """)
        #expect(
            try Credentials.resolve(userFlag: "alice", url: Self.url, environment: [:], netrcPath: netrc)
                == Credentials(user: "alice", password: #"with space "quoted""#))
        // No flag: the first entry for the host.
        #expect(
            try Credentials.resolve(userFlag: nil, url: Self.url, environment: [:], netrcPath: netrc) == Credentials(user: "bob", password: "bob-pw"))
        // Another host: the default entry.
        #expect(
            try Credentials.resolve(userFlag: nil, url: "http://elsewhere/", environment: [:], netrcPath: netrc)
                == Credentials(user: "anon", password: "anon-pw"))
    }

    @Test func macdefBodiesAreSkipped() {
        let netrc = Netrc(
            """
            macdef init
            login evil password evil

            machine h login u password p
            """)
        #expect(netrc.credentials(host: "h", login: nil) == Credentials(user: "u", password: "p"))
        #expect(netrc.entries.count == 1)
    }

    @Test func nothingNamesAUser() throws {
        #expect(try Credentials.resolve(userFlag: nil, url: Self.url, environment: ["DAVDOCTOR_PASSWORD": "x"], netrcPath: "/nonexistent") == nil)
    }

    @Test func userWithoutPasswordIsAnErrorThatDoesNotGuess() {
        #expect(throws: DAVClientError.credentials) {
            try Credentials.resolve(userFlag: "alice", url: Self.url, environment: [:], netrcPath: "/nonexistent")
        }
    }

    @Test func passwordIsNeverPrinted() {
        let credentials = Credentials(user: "alice", password: "s3cret")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in ["\(credentials)", String(describing: credentials), String(reflecting: credentials), dumped] {
            #expect(!text.contains("s3cret"), "\(text)")
        }
        #expect("\(credentials)" == "alice:[redacted]")
    }

    @Test func basicEncoding() {
        // RFC 7617 §2: Aladdin / open sesame.
        #expect(Credentials(user: "Aladdin", password: "open sesame").basicAuthorization == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    }
}
