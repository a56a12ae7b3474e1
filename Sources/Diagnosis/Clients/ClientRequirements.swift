/// What one client needs from a server, how a check tells whether the server meets it, and what to change
/// on the server when it does not. Every requirement names its source: the failure catalog
/// (docs/failure-catalog.md, "Client requirements") and the report the catalog cites.
public struct ClientRequirement: Sendable {
    public enum Verdict: Sendable, Hashable {
        case met(String)
        case unmet(String)
        case notChecked(String)
    }

    public var id: String
    public var client: Client
    public var need: String
    /// What the user sees in that client when the need is not met.
    public var symptom: String
    public var source: String
    let judge: @Sendable (ClientEvidence) -> Verdict
    let fixes: @Sendable (ServerKind) -> [Fix]

    public func evaluate(_ evidence: ClientEvidence) -> Verdict { judge(evidence) }
    public func fixes(for server: ServerKind) -> [Fix] { fixes(server) }
}

extension ClientRequirement {
    /// Every requirement the check knows, client by client.
    public static let all: [ClientRequirement] = windows + finder + office + davfs2 + rclone + davx5 + winscp + gvfs + calendarClients

    static let windows: [ClientRequirement] = [
        ClientRequirement(
            id: "windows-options-anonymous", client: .windows, need: "OPTIONS answered without authentication",
            symptom:
                "Explorer cannot map the drive (\"The folder you entered does not appear to be valid\") and caches the host as not-WebDAV for a while",
            source: "catalog: Windows Mini-Redirector, OPTIONS reachable without auth (PERM-03; dav4rack#42)",
            judge: optionsWithoutAuthentication, fixes: ClientFixes.optionsWithoutAuthentication),
        ClientRequirement(
            id: "windows-404-for-missing", client: .windows, need: "404 for a path that does not exist",
            symptom: "New Folder fails: Explorer only sends MKCOL after PROPFIND of the new name answered 404",
            source: "catalog: Windows Mini-Redirector, a 404 for non-existent paths (nextcloud/server#63415)",
            judge: notFoundForMissing, fixes: ClientFixes.notFoundForMissing),
        ClientRequirement(
            id: "windows-lock-and-proppatch", client: .windows, need: "LOCK, UNLOCK and PROPPATCH (class 2) for any write",
            symptom: "files open read-only or saving fails with \"Access denied\": Explorer locks and sets Win32 timestamps before writing",
            source: "catalog: Windows Mini-Redirector, LOCK/UNLOCK plus PROPPATCH (nginx-dav-ext-module#16, golang/go#43929)",
            judge: { methods($0, ["LOCK", "UNLOCK", "PROPPATCH"], class2: true) }, fixes: ClientFixes.lockAndProppatch),
        ClientRequirement(
            id: "windows-basic-over-https", client: .windows, need: "Basic authentication only over https",
            symptom: "the credentials prompt keeps coming back: by default (BasicAuthLevel 1) Windows refuses Basic over plain http",
            source: "catalog: Windows Mini-Redirector, Basic auth only over HTTPS by default (IIS blog: WebDAV redirector registry settings)",
            judge: basicOnlyOverHTTPS, fixes: { _ in ClientFixes.https }),
        ClientRequirement(
            id: "windows-listing-size", client: .windows, need: "a collection's PROPFIND answer under 1,000,000 bytes",
            symptom: "the folder shows empty or fails to open: FileAttributesLimitInBytes caps all properties of a collection at 1 MB",
            source: "catalog: CLI-01, FileAttributesLimitInBytes default 1,000,000 (IIS blog: WebDAV redirector registry settings)",
            judge: listingSize,
            fixes: { _ in
                [
                    Fix(
                        "Split very large folders, or have users raise FileAttributesLimitInBytes (HKLM\\SYSTEM\\CurrentControlSet\\Services\\WebClient\\Parameters)",
                        .medium)
                ]
            }),
    ]

    static let finder: [ClientRequirement] = [
        ClientRequirement(
            id: "finder-class-2", client: .finder, need: "class 2 (DAV: 1, 2) with LOCK and UNLOCK",
            symptom: "the volume mounts read-only",
            source: "catalog: LOCK-01, Finder needs class 2 and working LOCK/UNLOCK (WebDAV-Daemon#17, owncloud/core#17732)",
            judge: { methods($0, ["LOCK", "UNLOCK"], class2: true) }, fixes: ClientFixes.lockAndProppatch),
        ClientRequirement(
            id: "finder-mkcol-without-slash", client: .finder, need: "MKCOL to work without a trailing slash",
            symptom: "New Folder fails with error -36 or -43",
            source: "catalog: Finder, MKCOL without a trailing slash (nginx-dav-ext-module README rewrite for the macOS client)",
            judge: mkcolWithoutSlash, fixes: ClientFixes.mkcolWithoutSlash),
    ]

    static let office: [ClientRequirement] = [
        ClientRequirement(
            id: "office-ms-author-via", client: .office, need: "MS-Author-Via: DAV on OPTIONS",
            symptom: "Word and Excel open the document read-only or download a copy instead of editing in place",
            source: "catalog: Office, MS-Author-Via: DAV on OPTIONS (coils MSRedirector wiki; FubarDevelopment/WebDavServer#18)",
            judge: { authorVia($0.options, where: "the URL") }, fixes: ClientFixes.msAuthorVia),
        ClientRequirement(
            id: "office-root-options", client: .office, need: "OPTIONS answered at / with MS-Author-Via: DAV",
            symptom: "Office refuses to open documents: it asks the site root first",
            source: "catalog: Office, OPTIONS/PROPFIND answered at / (redmine_dmsf#484; coils MSRedirector wiki)",
            judge: { authorVia($0.rootOptions, where: "/") }, fixes: ClientFixes.rootOptions),
        ClientRequirement(
            id: "office-exclusive-lock", client: .office, need: "class 2 with an exclusive LOCK",
            symptom: "the document opens read-only (\"locked for editing by another user\" or no edit button)",
            source: "catalog: LOCK-02, Office needs class 2 and a successful exclusive LOCK (sabre-io/dav#955)",
            judge: { methods($0, ["LOCK", "UNLOCK"], class2: true) }, fixes: ClientFixes.lockAndProppatch),
        ClientRequirement(
            id: "office-basic-over-https", client: .office, need: "https when Basic authentication is used",
            symptom: "Office prompts for credentials again and again",
            source: "catalog: Office, HTTPS when Basic auth is used (redmine_dmsf#484)",
            judge: basicOnlyOverHTTPS, fixes: { _ in ClientFixes.https }),
    ]

    static let davfs2: [ClientRequirement] = [
        ClientRequirement(
            id: "davfs2-dav-header", client: .davfs2, need: "a DAV header on OPTIONS",
            symptom: "mount.davfs fails: \"the server does not support WebDAV\"",
            source: "catalog: davfs2, DAV header on OPTIONS (owncloud/core#29793)",
            judge: davHeader, fixes: ClientFixes.davHeader),
        ClientRequirement(
            id: "davfs2-put-allowed", client: .davfs2, need: "PUT listed in Allow",
            symptom: "files vanish after being saved (davfs2 trusts Allow)",
            source: "catalog: davfs2, a PUT actually permitted (davical#127)",
            judge: { methods($0, ["PUT"], class2: false) }, fixes: ClientFixes.methodsInAllow),
        ClientRequirement(
            id: "davfs2-locks", client: .davfs2, need: "class 2 locks (davfs2 locks by default, use_locks 1)",
            symptom: "every write fails until use_locks 0 is set in davfs2.conf",
            source: "catalog: davfs2, uses locks by default (davfs2.conf(5))",
            judge: { methods($0, ["LOCK", "UNLOCK"], class2: true) }, fixes: ClientFixes.lockAndProppatch),
        ClientRequirement(
            id: "davfs2-strict-xml", client: .davfs2, need: "well-formed XML without HTML entities",
            symptom: "the mount aborts on the first listing with an XML parse error",
            source: "catalog: PAY-05, davfs2's strict parser (MEGAcmd#529)",
            judge: { lint($0, ["undefined-entity", "unbound-prefix"], what: "undefined entities or unbound prefixes") }, fixes: ClientFixes.wellFormed
        ),
    ]

    static let rclone: [ClientRequirement] = [
        ClientRequirement(
            id: "rclone-same-host-hrefs", client: .rclone, need: "hrefs on the host it connected to",
            symptom: "listings come back empty or with errors (since v1.74 rclone checks the href host)",
            source: "catalog: rclone, href host must match the connected host since v1.74 (infinidysk#888)",
            judge: sameHost, fixes: { _ in FixBook.proxyHrefs(prefix: nil, extra: nil, foreignOrigin: "another host") }),
        ClientRequirement(
            id: "rclone-rfc1123-dates", client: .rclone, need: "getlastmodified in RFC 1123 form",
            symptom: "modification times are wrong, so sync copies everything again",
            source: "catalog: rclone, RFC 1123 getlastmodified (rclone#2574)",
            judge: { lint($0, ["getlastmodified-format"], what: "getlastmodified values not in RFC 1123 form") }, fixes: ClientFixes.dates),
        ClientRequirement(
            id: "rclone-no-404-propstats", client: .rclone, need: "no 404 propstat on listed items",
            symptom: "items with any 404 propstat are dropped from listings (rclone v1.74 and later)",
            source: "catalog: rclone, items with any 404 propstat are dropped since v1.74 (cryptomator/cli#102)",
            judge: noMissingPropstats,
            fixes: { _ in [Fix("Answer allprop with only the properties each resource has (RFC 4918 §9.1: allprop lists none with 404)", .medium)] }),
    ]

    static let davx5: [ClientRequirement] = [
        ClientRequirement(
            id: "davx5-status-lines", client: .davx5, need: "status lines starting with HTTP/1.",
            symptom: "sync fails with an invalid-response error",
            source: "catalog: PAY-01, DAVx5 needs D:status starting HTTP/1. (nginx-dav-ext-module#63)",
            judge: { lint($0, ["status-line"], what: "status lines not of the form HTTP/1.x NNN") }, fixes: ClientFixes.statusLines),
        ClientRequirement(
            id: "davx5-gmt-dates", client: .davx5, need: "RFC 1123 dates ending in GMT",
            symptom: "files show the wrong time or sync again",
            source: "catalog: PAY-03, RFC 1123 dates ending in GMT (sigoden/dufs#366)",
            judge: { lint($0, ["getlastmodified-format"], what: "dates not in RFC 1123 GMT form") }, fixes: ClientFixes.dates),
        ClientRequirement(
            id: "davx5-mkcol-without-slash", client: .davx5, need: "MKCOL to work without a trailing slash",
            symptom: "creating a folder fails with 409 (seen with nginx)",
            source: "catalog: DAVx5, nginx MKCOL without a trailing slash answers 409 (seedvault#500)",
            judge: mkcolWithoutSlash, fixes: ClientFixes.mkcolWithoutSlash),
    ]

    static let winscp: [ClientRequirement] = [
        ClientRequirement(
            id: "winscp-encoded-hrefs", client: .winscp, need: "percent-encoded hrefs",
            symptom: "names with spaces or other reserved characters fail to open or list",
            source: "catalog: PATH-01, WinSCP needs percent-encoded hrefs (npm-WebDAV-Server#22)",
            judge: { lint($0, ["href-not-encoded"], what: "hrefs that are not percent-encoded") }, fixes: ClientFixes.encodedHrefs),
        ClientRequirement(
            id: "winscp-lock-discovery", client: .winscp, need: "class 2, so locks show in lockdiscovery",
            symptom: "WinSCP cannot show or honour locks taken by other users",
            source: "catalog: CLI-06, WinSCP wants lockdiscovery (redmine_dmsf#1096)",
            judge: { methods($0, ["LOCK"], class2: true) }, fixes: ClientFixes.lockAndProppatch),
    ]

    static let gvfs: [ClientRequirement] = [
        ClientRequirement(
            id: "gvfs-root-options", client: .gvfs, need: "OPTIONS answered at / (gvfs walks up from the mount path)",
            symptom: "the mount hangs or fails when / answers 404 or 405",
            source: "catalog: CLI-02 and SC-06, gvfs probes / and parent paths (nextcloud/server#48602)",
            judge: rootAnswers, fixes: ClientFixes.rootOptions),
        ClientRequirement(
            id: "gvfs-propfind-allowed", client: .gvfs, need: "PROPFIND in Allow",
            symptom: "Nautilus says the location is not a folder",
            source: "catalog: gvfs, PROPFIND in Allow (filestash#578)",
            judge: { methods($0, ["PROPFIND"], class2: false) }, fixes: ClientFixes.methodsInAllow),
        ClientRequirement(
            id: "gvfs-quota", client: .gvfs, need: "the RFC 4331 quota properties",
            symptom: "free space shows as unknown (df and the Nautilus status bar)",
            source: "catalog: gvfs, quota properties for df (owncloud/core#11776)",
            judge: quota, fixes: ClientFixes.quota),
    ]
}
