import DAVCore

/// A follow-up request described as data: what to send, as whom, and why. `davdoctor check` sends it
/// and hands back a ``ProbeOutcome``; the ``Investigation`` never touches the network itself.
public struct Probe: Sendable, Hashable, Identifiable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// OPTIONS as the user: DAV classes, Allow, MS-Author-Via, the Server header.
        case serverOptions
        /// OPTIONS without credentials: is authentication needed before a client can even discover the server?
        case anonymousOptions
        /// PROPFIND Depth 1 of a missing resource's parent, to find the nearest existing one and near matches.
        case parentListing
        /// The user's request again without credentials.
        case anonymousRepeat
        /// The user's request again as the second user (`--as`).
        case secondUserRepeat
        /// PROPFIND Depth 0 of `lockdiscovery` on a lock root.
        case lockDiscovery
        /// The same PROPFIND with Depth 1, when Depth infinity was refused.
        case depthOne
        /// The same PROPFIND with Depth 0, when a listing failed with 500: the collection readable, its inside not.
        case depthZero
        /// The same request with cache-busting headers, to compare ETags and dates.
        case cacheBusting
        /// HEAD of a file, to compare its ETag and length with what PROPFIND said.
        case head
        /// After a GET or HEAD: PROPFIND Depth 0 of the same URL. No HTTP cache keeps a PROPFIND, so it
        /// shows what the server holds now, to compare with what the read was given.
        case serverCopy
        /// After a write: PROPFIND of the quota properties of the target's collection, to tell a full disk
        /// from another failure (and a write that the server said it kept in full).
        case writeSpace
        /// HEAD of a resource the user's PUT or DELETE just answered for, to see whether the write took.
        case writeEffect
        /// After a PROPPATCH answered 207 with every property 200: PROPFIND Depth 0 of the same properties,
        /// to see whether the server kept them (``PropertyEffect``).
        case propertyEffect
        /// After a listing a shared cache answered (``CachedListing``): the same request again, which the cache
        /// answers again, and the same with a query string no cache holds, which reaches the server.
        case cachedRepeat, pastCache
        /// `--allow-writes` only (``ScratchWrites``): MKCOL of the scratch collection, PUT of a file in
        /// it, COPY and MOVE inside it with Destination spelled as the user's URL, DELETE of it.
        case scratchCreate, scratchPut, destinationCopy, destinationMove, mkcolWithoutSlash, scratchDelete
        /// `--allow-writes`, when the scratch MKCOL was refused: PUT of a small file beside the target, and
        /// its removal (``ScratchWrites/fileSteps``).
        case scratchFilePut, scratchFileDelete
        /// `check --allow-writes` (``NodeAgreement``): a file in the scratch collection, a dead property and
        /// a lock on it, the same PROPFIND of both several times, and the lock's release.
        case agreementPut, agreementProperty, agreementLock, agreementRead, agreementUnlock
        /// `proxy --allow-writes` only (``ProxyLockHeaders``): a file locked straight at the server, then
        /// If and Lock-Token sent through the proxy and straight.
        case lockTargetPut, lockDirect, ifThroughProxy, ifDirect, lockTokenThroughProxy, lockTokenDirect
        /// `--client` only (``ClientProfiles``): OPTIONS of `/`, PROPFIND of a name that cannot exist, and
        /// PROPFIND of the RFC 4331 quota properties.
        case rootOptions, missingPath, quotaProperties
        /// After a REPORT (``ReportProbes``): PROPFIND Depth 0 of its target (resourcetype, supported-report-set,
        /// sync-token, getctag, current-user-principal); PROPFIND of the principal's home sets; GET of the
        /// RFC 6764 well-known path, not followed.
        case reportTarget, homeSets, wellKnown
    }

    /// Whose credentials the probe carries.
    public enum Identity: String, Sendable, Hashable, Codable {
        case user, anonymous, secondUser
    }

    public var id: Int
    public var kind: Kind
    /// Why it is sent, in a sentence for the report.
    public var purpose: String
    public var method: String
    public var url: String
    public var headers: HTTPFields
    public var body: [UInt8]?
    public var identity: Identity
    /// The decoded path the probe is about (the missing resource, the lock root …).
    public var subject: String

    public init(
        id: Int, kind: Kind, purpose: String, method: String, url: String, headers: HTTPFields = HTTPFields(), body: [UInt8]? = nil,
        identity: Identity = .user, subject: String
    ) {
        self.id = id
        self.kind = kind
        self.purpose = purpose
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.identity = identity
        self.subject = subject
    }

    /// Probes only read: nothing here changes a server.
    public var isSafe: Bool { ["OPTIONS", "PROPFIND", "HEAD", "GET"].contains(method) }
}

/// What a probe got back.
public struct ProbeOutcome: Sendable {
    public var probe: Probe
    public var head: ResponseHead?
    public var body: [UInt8]
    /// A transport failure (refused, timeout …) instead of an answer.
    public var failure: String?
    public var milliseconds: Int

    public init(probe: Probe, head: ResponseHead?, body: [UInt8] = [], failure: String? = nil, milliseconds: Int = 0) {
        self.probe = probe
        self.head = head
        self.body = body
        self.failure = failure
        self.milliseconds = milliseconds
    }

    /// The body read as a multistatus, when it is one.
    public var multistatus: MultiStatus? {
        guard head?.status == 207 else { return nil }
        return try? MultiStatusParser.parse(body).0
    }
}

extension Probe {
    /// The body of a LOCK that asks for an exclusive write lock, naming `owner` so an admin who finds it
    /// knows where it came from.
    static func exclusiveLockBody(owner: String) -> [UInt8] {
        Array(
            #"<?xml version="1.0" encoding="utf-8"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>\#(owner)</D:owner></D:lockinfo>"#
                .utf8)
    }
}
