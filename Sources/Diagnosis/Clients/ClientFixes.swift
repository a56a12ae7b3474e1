/// Server-side changes that meet a client's need, in the recognised server's own terms.
enum ClientFixes {
    static let https = [Fix("Serve over https (a TLS-terminating proxy in front will do), or switch to Digest authentication", .medium)]

    static func optionsWithoutAuthentication(_ server: ServerKind) -> [Fix] {
        switch server {
        case .apache: [Fix("Exempt OPTIONS from authentication: wrap the Require in <LimitExcept OPTIONS> … </LimitExcept>", .easy)]
        case .nginx:
            [
                Fix(
                    "Exempt OPTIONS: inside the location, limit_except OPTIONS { auth_basic \"…\"; auth_basic_user_file …; } instead of auth_basic on everything",
                    .easy)
            ]
        case .lighttpd: [Fix("Exempt OPTIONS: $HTTP[\"request-method\"] != \"OPTIONS\" { auth.require = … }", .easy)]
        case .davdoctor: [Fix("davdoctor serve answers OPTIONS without authentication already; a proxy in front asks for it", .easy)]
        default: [Fix("Answer OPTIONS without asking for credentials (authenticate every other method)", .easy)]
        }
    }

    static func notFoundForMissing(_ server: ServerKind) -> [Fix] {
        [
            Fix(
                "Answer 404 for names that do not exist (not 403, 405 or 500): a rewrite, a catch-all location or a WAF rule is answering instead",
                .medium)
        ]
    }

    static func lockAndProppatch(_ server: ServerKind) -> [Fix] {
        switch server {
        case .nginx:
            [
                Fix("nginx: dav_ext_methods PROPFIND OPTIONS LOCK UNLOCK; and dav_ext_lock_zone zone=dav:10m; give class 2 and locks", .easy),
                Fix(
                    "nginx has no PROPPATCH: for Windows and Office writes, put a server that has it behind nginx (Apache mod_dav, WsgiDAV, davdoctor serve)",
                    .hard),
            ]
        case .apache: [Fix("Apache: DavLockDB in a directory the server user can write (mod_dav_lock or mod_dav_fs) enables LOCK and class 2", .easy)]
        case .lighttpd: [Fix("lighttpd: webdav.sqlite-db-name enables locks and PROPPATCH (mod_webdav built with SQLite)", .easy)]
        case .rclone: [Fix("rclone serve webdav keeps no real locks; for Finder and Office use a server with class 2", .hard)]
        default: [Fix("Enable locking (class 2: LOCK, UNLOCK) and PROPPATCH in the server's WebDAV module", .medium)]
        }
    }

    static func mkcolWithoutSlash(_ server: ServerKind) -> [Fix] {
        switch server {
        case .nginx:
            [
                Fix(
                    "nginx: add a trailing slash for MKCOL before dav handles it: if ($request_method = MKCOL) { rewrite ^(.*[^/])$ $1/ break; }",
                    .easy)
            ]
        default: [Fix("Accept MKCOL on a URL without a trailing slash (RFC 4918 does not require it)", .medium)]
        }
    }

    static func msAuthorVia(_ server: ServerKind) -> [Fix] {
        switch server {
        case .apache: [Fix("Apache: Header always set MS-Author-Via \"DAV\" (mod_headers) for the share", .easy)]
        case .nginx: [Fix("nginx: add_header MS-Author-Via DAV always; in the location", .easy)]
        case .lighttpd: [Fix("lighttpd: setenv.add-response-header = (\"MS-Author-Via\" => \"DAV\")", .easy)]
        default: [Fix("Send MS-Author-Via: DAV on OPTIONS", .easy)]
        }
    }

    static func rootOptions(_ server: ServerKind) -> [Fix] {
        switch server {
        case .nginx:
            [
                Fix(
                    "nginx: answer OPTIONS on / too (location = / { dav_ext_methods OPTIONS PROPFIND; add_header MS-Author-Via DAV always; … })",
                    .medium)
            ]
        case .apache:
            [
                Fix(
                    "Apache: answer OPTIONS at / (Dav On for <Location /> with Require all denied except OPTIONS, or a RewriteRule answering OPTIONS)",
                    .medium)
            ]
        default: [Fix("Answer OPTIONS (and PROPFIND, with 207 or 401) at / and at every parent of the share, not 404 or 405", .medium)]
        }
    }

    static func davHeader(_ server: ServerKind) -> [Fix] {
        switch server {
        case .nginx: [Fix("nginx: dav_ext_methods PROPFIND OPTIONS; (libnginx-mod-http-dav-ext) makes OPTIONS answer with DAV", .easy)]
        case .apache: [Fix("Apache: Dav On for the <Location> (mod_dav, mod_dav_fs)", .easy)]
        default: [Fix("Enable the WebDAV module for this path: OPTIONS must answer with a DAV header", .easy)]
        }
    }

    static func methodsInAllow(_ server: ServerKind) -> [Fix] {
        switch server {
        case .nginx: [Fix("nginx: dav_methods PUT DELETE MKCOL COPY MOVE; and dav_ext_methods PROPFIND OPTIONS; in the location", .easy)]
        case .apache: [Fix("Apache: remove AllowMethods / <Limit> rules that leave the method out", .easy)]
        default: [Fix("Allow the method for this path in the server's configuration", .easy)]
        }
    }

    static func wellFormed(_ server: ServerKind) -> [Fix] {
        [Fix("Emit well-formed XML: numeric character references (&#233;) instead of HTML entities, every prefix declared", .medium)]
    }

    static func dates(_ server: ServerKind) -> [Fix] {
        [Fix("Write getlastmodified as an RFC 1123 date in GMT (Sun, 06 Nov 1994 08:49:37 GMT)", .medium)]
    }

    static func statusLines(_ server: ServerKind) -> [Fix] {
        [Fix("Write each D:status as HTTP/1.1 NNN Reason (nginx dav-ext before 3.0.0 wrote HTTP/0.0: upgrade the module)", .medium)]
    }

    static func encodedHrefs(_ server: ServerKind) -> [Fix] {
        [Fix("Percent-encode every href (spaces as %20, reserved characters escaped)", .medium)]
    }

    static func quota(_ server: ServerKind) -> [Fix] {
        switch server {
        case .nginx, .lighttpd:
            [Fix("This server has no RFC 4331 quota properties; free space stays unknown to gvfs (davdoctor serve has them)", .hard)]
        default: [Fix("Report DAV:quota-available-bytes and DAV:quota-used-bytes (RFC 4331) on collections", .medium)]
        }
    }

    /// Let clients find the user's collections from a URL or a host name.
    static func discovery(_ server: ServerKind) -> [Fix] {
        [
            Fix(
                "Answer /.well-known/caldav and /.well-known/carddav with a redirect (301 or 302) to the service's root, on the public origin (nginx: location = /.well-known/caldav { return 301 $scheme://$host/dav/; } ; Apache: Redirect 301 /.well-known/caldav /dav/)",
                .easy),
            Fix(
                "Have the service answer DAV:current-user-principal on its root, and the principal answer calendar-home-set and addressbook-home-set",
                .medium),
        ]
    }

    /// Give collections something cheaper to compare than their whole contents.
    static func changeMarkers(_ server: ServerKind) -> [Fix] {
        [
            Fix(
                "Use a server that offers RFC 6578 sync-collection (Radicale, Xandikos, SabreDAV/Nextcloud, davdoctor serve) or at least a CalendarServer getctag on each collection",
                .medium)
        ]
    }
}
