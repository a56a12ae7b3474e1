/// Fix steps in the recognised server's own configuration language. Every fix names the narrowest
/// change (this path, this directive) and none widens access beyond the failing resources.
public enum FixBook {
    public static func permission(_ paths: [String], status: Int, server: ServerKind) -> [Fix] {
        let resourcesNamed = paths.prefix(3).joined(separator: ", ")
        if status == 401 {
            var fixes = [Fix("Send credentials for a user who may read \(resourcesNamed) (curl -u USER, or the client's account settings)", .easy)]
            switch server {
            case .apache:
                fixes.append(
                    Fix(
                        "If credentials are sent but ignored behind PHP-FPM/CGI, pass the header: SetEnvIf Authorization \"(.*)\" HTTP_AUTHORIZATION=$1",
                        .medium))
            case .sabre:
                fixes.append(
                    Fix(
                        "If the log says \"No 'Authorization: Basic' header found\", the FastCGI hop drops it: add SetEnvIf Authorization \"(.*)\" HTTP_AUTHORIZATION=$1",
                        .medium))
            case .nginx: fixes.append(Fix("Check auth_basic_user_file for the user, and that the proxy hop keeps the Authorization header", .easy))
            default: break
            }
            return fixes
        }
        var fixes = [Fix("Check that the account used should see \(resourcesNamed); test with a known-good user before changing any rule", .easy)]
        switch server {
        case .apache:
            fixes.append(
                Fix(
                    "Grant only that path: in <Location \(paths.first ?? "/path/")> use Require user NAME (or Require group), not Require all granted for the whole share",
                    .medium))
            fixes.append(
                Fix(
                    "If no rule denies it, the file system does: the Apache user (www-data) needs read (and write for changes) on that directory",
                    .medium))
        case .nginx:
            fixes.append(
                Fix(
                    "Find the location block matching \(paths.first ?? "the path") (deny all / allow lists, auth_basic) and allow the user there only",
                    .medium))
            fixes.append(Fix("Check file system permissions for the nginx worker user on that directory", .medium))
        case .lighttpd:
            fixes.append(
                Fix(
                    "Check the $HTTP[\"url\"] =~ condition and auth.require for \(paths.first ?? "the path"), and the file mode for the lighttpd user",
                    .medium))
        case .wsgidav:
            fixes.append(
                Fix("Adjust the share's rights in simple_dc / the domain controller for that user, or the file mode for the WsgiDAV process", .medium)
            )
        case .sabre:
            fixes.append(
                Fix(
                    "Check the share or ACL on \(paths.first ?? "the folder") in Nextcloud/ownCloud (sharing permissions, group folder ACLs)", .medium
                ))
        case .iis:
            fixes.append(Fix("Add a WebDAV Authoring Rule for that path with Read (and Write) for the user, and check NTFS permissions", .medium))
        case .davdoctor:
            fixes.append(Fix("Add a rule for \(paths.first ?? "the path") granting read (or write) to that user or group in the serve config", .easy))
        default:
            fixes.append(
                Fix(
                    "Grant read (or write) on \(paths.first ?? "those resources") to that user only, and check the file system permissions behind them",
                    .medium))
        }
        return fixes
    }

    /// A share that refuses every write: the switch that makes it so, in the server's terms.
    public static func readOnly(path: String, server: ServerKind) -> [Fix] {
        var fixes = [
            Fix("If writes should work at \(path), the share is read-only on purpose or by mistake: ask its admin before changing it", .easy)
        ]
        switch server {
        case .apache:
            fixes.append(
                Fix(
                    "Apache: the <Location> or <Directory> for \(path) limits methods (AllowMethods, <Limit>/<LimitExcept>, Require method): add the write methods for the users who may write, or fix the directory's owner (www-data) if mod_dav cannot write",
                    .medium))
        case .nginx: fixes.append(Fix("nginx: add PUT DELETE MKCOL COPY MOVE to dav_methods in that location, and check limit_except", .medium))
        case .lighttpd: fixes.append(Fix("lighttpd: set webdav.is-readonly = \"disable\" for that URL condition", .easy))
        case .wsgidav: fixes.append(Fix("WsgiDAV: remove readonly: true from the share in provider_mapping", .easy))
        case .rclone: fixes.append(Fix("rclone: drop --read-only from rclone serve webdav", .easy))
        case .sabre: fixes.append(Fix("Nextcloud/SabreDAV: the share or ACL grants read only; give the user edit rights on that folder", .medium))
        case .radicale:
            fixes.append(Fix("Radicale: the rights file gives this user r on the collection; grant rw (or RW) for that path only", .medium))
        case .davdoctor:
            fixes.append(Fix("davdoctor serve: grant write on \(path) to that user in the rules of the serve config, or drop --read-only", .easy))
        default:
            fixes.append(
                Fix("Enable writes on that share only, for the users who need them, and check the file system permissions behind it", .medium))
        }
        return fixes
    }

    /// A write the file system behind the share refused (a read-only mount, a folder the server's user may
    /// not write), where no WebDAV setting is at fault.
    public static func unwritableStorage(path: String, server: ServerKind) -> [Fix] {
        let who = server == .unknown ? "the server's user" : "the user \(server.displayName) runs as"
        return [
            Fix("Check the mount behind \(path) (findmnt -T DIR: ro or rw) and remount it read-write if it should take writes", .medium),
            Fix(
                "Check that \(who) owns or may write the directory behind \(path) (and its hidden state folders); change that directory only", .medium
            ),
        ]
    }

    public static func notFound(server: ServerKind) -> [Fix] {
        var fixes = [Fix("Check the path for case, encoding and a trailing slash; list the parent collection to see the real names", .easy)]
        if server == .nginx { fixes.append(Fix("nginx needs a trailing slash on collection URLs (MKCOL, PROPFIND, DELETE of a folder)", .easy)) }
        return fixes
    }

    /// Hrefs a multiget named that the collection does not hold: the client's list of members is stale.
    /// `elsewhere`: some hrefs name another collection (or a collection), not an object of this one.
    public static func multigetMissing(collection: String, elsewhere: Bool = true) -> [Fix] {
        [
            Fix(
                "List \(collection) again (sync-collection, or PROPFIND Depth 1 for getetag) and fetch only the hrefs it names, spelt as it writes them",
                .easy)
        ]
            + (elsewhere
                ? [
                    Fix(
                        "Send each href to the collection that holds it: a multiget of one calendar or address book cannot fetch another's objects",
                        .easy)
                ] : [])
    }

    public static func missingParent(_ parent: String, server: ServerKind) -> [Fix] {
        var fixes = [Fix("Create the parent collection first (MKCOL \(parent)), level by level; 405 on an existing level is fine", .easy)]
        if server == .nginx { fixes.append(Fix("Or let nginx create it: create_full_put_path on; in that location", .easy)) }
        return fixes
    }

    public static func depthInfinity(server: ServerKind) -> [Fix] {
        var fixes = [
            Fix("Ask with Depth: 1 and walk the tree, as the RFC expects clients to when infinity is refused (always send a Depth header)", .easy)
        ]
        switch server {
        case .apache: fixes.append(Fix("Or allow it for this share only: DavDepthInfinity On inside its <Location> (costly on large trees)", .medium))
        case .nginx: fixes.append(Fix("nginx dav-ext never answers Depth: infinity; use Depth: 1", .easy))
        case .lighttpd: fixes.append(Fix("lighttpd refuses infinity by design; use Depth: 1", .easy))
        case .davdoctor: fixes.append(Fix("Or allow it: limits: depthInfinity: true in the serve config (or drop --no-depth-infinity)", .easy))
        default: fixes.append(Fix("Or enable Depth infinity in the server for this share only", .medium))
        }
        return fixes
    }

    public static func methodNotAllowed(_ method: String, allow: String?, server: ServerKind) -> [Fix] {
        var fixes: [Fix] = []
        if let allow { fixes.append(Fix("The server allows only: \(allow); use one of those or enable \(method)", .easy)) }
        switch server {
        case .apache:
            fixes.append(
                Fix("Enable WebDAV for this location: Dav On in its <Location>/<Directory>, and LoadModule dav_module + dav_fs_module", .hard))
        case .nginx:
            if ["PROPFIND", "OPTIONS", "LOCK", "UNLOCK"].contains(method) {
                fixes.append(
                    Fix("Load the dav-ext module and add dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK; (plus dav_ext_lock_zone for locks)", .hard))
            } else if method == "PROPPATCH" {
                fixes.append(
                    Fix(
                        "nginx never implements PROPPATCH: put a server that does (Apache mod_dav, WsgiDAV, davdoctor serve) behind it for clients that need it (Windows, Office)",
                        .hard))
            } else {
                fixes.append(Fix("Add \(method) to dav_methods in that location", .medium))
            }
        case .lighttpd:
            fixes.append(Fix("Enable mod_webdav for this path: webdav.activate = \"enable\" and webdav.is-readonly = \"disable\"", .medium))
        case .iis: fixes.append(Fix("Enable WebDAV Publishing for the site and allow the verb in Request Filtering", .hard))
        default: fixes.append(Fix("Enable \(method) in the server's WebDAV module for this path", .hard))
        }
        return fixes
    }

    /// The setting that caps a request body, in the server's own words.
    public static func bodyLimitDirective(server: ServerKind) -> String {
        switch server {
        case .apache: "Apache: LimitRequestBody"
        case .nginx: "nginx: client_max_body_size"
        case .lighttpd: "lighttpd: server.max-request-size, in KiB"
        case .iis: "IIS: requestLimits maxAllowedContentLength"
        case .davdoctor: "davdoctor serve: limits: maxBodyBytes"
        default: "the server's or a proxy's request body limit"
        }
    }

    /// The setting that refuses a method for one path although the WebDAV module implements it.
    public static func methodRuleDirective(server: ServerKind) -> String {
        switch server {
        case .apache: "Apache: AllowMethods, <Limit> or <LimitExcept> for the path"
        case .nginx: "nginx: dav_methods or limit_except in the location"
        case .lighttpd: "lighttpd: webdav.is-readonly for the path"
        case .davdoctor: "davdoctor serve: a read-only rule for the path"
        default: "a method rule for the path in the server or a proxy"
        }
    }

    public static func bodyLimit(server: ServerKind) -> [Fix] {
        switch server {
        case .apache: [Fix("Raise LimitRequestBody (and LimitXMLRequestBody for XML bodies) in that <Location>", .easy)]
        case .nginx: [Fix("Raise client_max_body_size in that location (default 1m)", .easy)]
        case .lighttpd: [Fix("Raise server.max-request-size (KiB)", .easy)]
        case .iis: [Fix("Raise requestLimits maxAllowedContentLength in Request Filtering", .easy)]
        case .davdoctor: [Fix("Raise limits: maxBodyBytes in the serve config (or --max-body-bytes)", .easy)]
        default: [Fix("Raise the server's (or proxy's) request body limit for this path, or upload in chunks", .easy)]
        }
    }

    public static func lock(roots: [String], server: ServerKind) -> [Fix] {
        var fixes = [
            Fix(
                "Submit the lock token the client holds in an If header: If: (<opaquelocktoken:…>) — the owner of the lock on \(roots.first ?? "the resource") has it",
                .easy)
        ]
        fixes.append(
            Fix(
                "If the lock is stale (its owner is gone), UNLOCK \(roots.first ?? "the lock root") with its token from PROPFIND lockdiscovery, or wait for its timeout",
                .medium))
        switch server {
        case .apache: fixes.append(Fix("For locks no client holds any more, remove them from DavLockDB while the server is stopped", .hard))
        case .sabre:
            fixes.append(Fix("Nextcloud: clear stale locks (occ files:scan, or the oc_file_locks table with the server in maintenance mode)", .hard))
        case .wsgidav: fixes.append(Fix("Use a persistent, shared lock storage (lock_storage) so workers agree on locks", .medium))
        default: break
        }
        return fixes
    }

    /// Nodes behind one balancer that each keep their own locks: one lock store for all, or one node per client.
    public static func sharedLocks(server: ServerKind) -> [Fix] {
        var fixes: [Fix] = []
        switch server {
        case .apache:
            fixes.append(
                Fix(
                    "Apache's DavLockDB is a file on each node: no two nodes can share it. Serve WebDAV from one node, or pin each client to one",
                    .hard))
        case .nginx:
            // nginx answering may be the balancer itself, in front of other servers.
            fixes.append(
                Fix("If nginx serves WebDAV itself: its dav_ext_lock_zone lives in one nginx's memory; serve LOCK-using clients from one node", .hard)
            )
            fixes.append(
                Fix(
                    "If nginx balances other servers: Apache's DavLockDB is a file on each node and cannot be shared; WsgiDAV and davdoctor serve can keep locks in one store",
                    .hard))
        case .wsgidav:
            fixes.append(Fix("WsgiDAV: a lock_storage all nodes reach (lock_storage: wsgidav.lock_man.lock_storage_redis.LockStorageRedis)", .medium))
        case .davdoctor: fixes.append(Fix("davdoctor serve: start every instance with the same --store postgres://… (locks live there)", .easy))
        default: fixes.append(Fix("Keep the server's locks in storage every node reaches (a database), not on each node", .hard))
        }
        fixes.append(
            Fix(
                "Meanwhile send each client to one node: sticky sessions (nginx: hash $remote_addr consistent; HAProxy: balance source; a cookie the balancer sets)",
                .medium))
        return fixes
    }

    /// Nodes behind one balancer that each keep their own dead properties.
    public static func sharedProperties(server: ServerKind) -> [Fix] {
        var fixes: [Fix] = []
        switch server {
        case .apache:
            fixes.append(
                Fix("Apache keeps dead properties in .DAV/ beside the files: serve one shared tree (the same mount) from every node", .medium))
        case .wsgidav:
            fixes.append(Fix("WsgiDAV: a property_manager all nodes reach (a database one), not the in-memory or per-node shelve store", .medium))
        case .davdoctor: fixes.append(Fix("davdoctor serve: start every instance with the same --store postgres://… (properties live there)", .easy))
        default: fixes.append(Fix("Keep dead properties in storage every node reaches (a database or the shared tree), not on each node", .hard))
        }
        return fixes
    }

    public static func storage(server: ServerKind) -> [Fix] {
        var fixes = [
            Fix("Free space or raise the quota of the owner of the target collection; check quota-available-bytes before uploading", .medium)
        ]
        if server == .sabre { fixes.append(Fix("Nextcloud: occ files:scan to recompute sizes if the quota shows \"0 of ?\"", .medium)) }
        return fixes
    }

    public static func proxyDestination(server: ServerKind) -> [Fix] {
        [
            Fix(
                "nginx in front: rewrite Destination to the backend's scheme: if ($http_destination ~* ^https(.*)$) { set $dest http$1; } proxy_set_header Destination $dest;",
                .medium),
            Fix("Apache in front: RequestHeader edit Destination ^https: http: early (mod_headers)", .medium),
            Fix("Or make the backend speak https, or honour X-Forwarded-Proto, so both ends agree on the scheme", .hard),
        ]
    }

    /// The proxy sends the backend its own Host: a Destination naming the host the client uses is another
    /// server to the backend, and the backend's redirects send clients to its own address.
    public static func proxyHost() -> [Fix] {
        [
            Fix(
                "nginx in front: proxy_set_header Host $http_host; (without it nginx sends the upstream's host:port: the backend writes redirects and URLs for that address and calls the client's Destination another server)",
                .easy),
            Fix("Apache in front: ProxyPreserveHost On", .easy),
            Fix(
                "Or rewrite Destination's host to the backend's (nginx: map $http_destination + proxy_set_header Destination; Apache: RequestHeader edit Destination)",
                .medium),
        ]
    }

    /// Request headers (If, Lock-Token) that the proxy does not pass on.
    public static func proxyDroppedHeaders(_ names: [String]) -> [Fix] {
        let list = names.joined(separator: " and ")
        return [
            Fix(
                "nginx in front: pass \(list) on; nginx forwards every request header unless told otherwise, so remove \(names.map { "proxy_set_header \($0) \"\"" }.joined(separator: " / ")) and keep proxy_pass_request_headers on",
                .easy),
            Fix(
                "Apache in front: remove \(names.map { "RequestHeader unset \($0)" }.joined(separator: " / ")) (mod_headers); ProxyPass passes them by default",
                .easy),
            Fix(
                "A WAF or CDN with a header allow-list: add \(list) to it\(names.contains("If") || names.contains("Lock-Token") ? " (RFC 4918 §10.4, §10.5: locks cannot be used without them)" : " (RFC 4918 §10 defines it; WebDAV methods mean something else without it)")",
                .medium),
        ]
    }

    /// Destination names the path (or host) the client uses, and the proxy passes it on unchanged.
    /// A request body that the proxy does not pass on (a body-less rewrite, a WAF, a method it treats as GET).
    public static func proxyDroppedBody(method: String) -> [Fix] {
        [
            Fix(
                "nginx in front: remove proxy_pass_request_body off (and any proxy_set_body) from that location; \(method) needs its body", .easy),
            Fix(
                "Apache in front: a RewriteRule with [P] or a ProxyPass to a handler that reads no body loses it; pass the request to the backend unchanged",
                .medium),
            Fix(
                "HAProxy, Varnish or a CDN in front: let \(method) through with its body (Varnish: return (pass) or (pipe) for WebDAV methods, never hash them as GET)",
                .medium),
        ]
    }

    /// A proxy whose rules refuse WebDAV methods before they reach the server.
    public static func proxyRefusesMethod(_ method: String, proxy: ServerKind) -> [Fix] {
        switch proxy {
        case .haproxy:
            return [
                Fix(
                    "HAProxy: let \(method) through: remove or widen the http-request deny rule (its method list, e.g. acl dav_methods method PROPFIND PROPPATCH MKCOL COPY MOVE LOCK UNLOCK) for the WebDAV path",
                    .easy)
            ]
        case .varnish:
            return [Fix("Varnish: in vcl_recv, return (pass) (or pipe) for WebDAV methods instead of synthesising an error for them", .easy)]
        default:
            return [
                Fix(
                    "Let \(method) through the proxy or firewall in front (WebDAV needs PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK and UNLOCK)",
                    .easy)
            ]
        }
    }

    public static func proxyDestinationPath() -> [Fix] {
        [
            Fix(
                "nginx in front: rewrite Destination the way the location rewrites the path: map $http_destination $dest { ~^https?://[^/]+/PREFIX(?<rest>/.*)$ http://BACKEND$rest; } and proxy_set_header Destination $dest;",
                .medium),
            Fix(
                "Apache in front: RequestHeader edit Destination ^(https?://[^/]+)/PREFIX/ $1/ early (mod_headers), or mount the backend under the same path so nothing needs rewriting",
                .medium),
            Fix(
                "Keep Host intact (nginx proxy_set_header Host $host; Apache ProxyPreserveHost On) so the backend recognises Destination's host as its own",
                .easy),
        ]
    }

    public static func proxyHrefs(prefix: String?, extra: String?, foreignOrigin: String?) -> [Fix] {
        var fixes: [Fix] = []
        if let prefix {
            fixes.append(
                Fix(
                    "The proxy strips \(prefix) before the backend: mount the backend under the same path (proxy_pass http://backend\(prefix)/ / ProxyPass \(prefix)/ http://backend\(prefix)/) or set its base URI (X-Script-Name, WsgiDAV mount_path)",
                    .medium))
        }
        if let extra {
            fixes.append(
                Fix("The backend adds \(extra): map the proxy location to the same path, or configure the backend's public base URL", .medium))
        }
        if let foreignOrigin {
            fixes.append(
                Fix(
                    "Hrefs name \(foreignOrigin), the backend's own address: keep Host intact (nginx proxy_set_header Host $host; Apache ProxyPreserveHost On) and pass X-Forwarded-Proto",
                    .medium))
            fixes.append(Fix("Or make the backend emit path-absolute hrefs (/dir/file) instead of absolute URLs", .medium))
        }
        return fixes
    }
}
