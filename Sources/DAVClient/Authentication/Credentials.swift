import Foundation

/// A user name and password for Basic or Digest authentication.
///
/// The password never appears in printed or reflected forms: `description`, `dump` and string
/// interpolation show `user:[redacted]`.
public struct Credentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    public var description: String { "\(user):[redacted]" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["user": user, "password": "[redacted]"]) }

    /// `Basic base64(user:password)` (RFC 7617, UTF-8).
    var basicAuthorization: String {
        "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
    }
}

/// Who a request is sent as, and how the credentials are offered.
///
/// - ``default``: the client's credentials, if it has any. Basic is sent with the first request; when
///   the server answers 401 with a Digest challenge the request is sent once more with Digest, and later
///   requests to that origin go with Digest from the start (the password is then not sent in clear again).
/// - ``anonymous``: no `Authorization` at all, and no retry: the 401 is the answer (the permission probe).
/// - ``user(_:)``: another user (`--as`), offered as ``default`` offers the client's.
/// - ``onChallenge(_:)``: the first request goes without `Authorization`; a 401 with a Basic or Digest
///   challenge is answered once. Costs a round trip; shows what an anonymous client is told.
public struct Authentication: Sendable, Hashable {
    enum Mode: Sendable, Hashable {
        case anonymous
        case preemptive
        case onChallenge
    }

    let mode: Mode
    /// nil: the client's configured credentials.
    let credentials: Credentials?

    public static let `default` = Authentication(mode: .preemptive, credentials: nil)
    public static let anonymous = Authentication(mode: .anonymous, credentials: nil)

    public static func user(_ credentials: Credentials) -> Authentication {
        Authentication(mode: .preemptive, credentials: credentials)
    }

    public static func onChallenge(_ credentials: Credentials? = nil) -> Authentication {
        Authentication(mode: .onChallenge, credentials: credentials)
    }

    public var isAnonymous: Bool { mode == .anonymous }
}
