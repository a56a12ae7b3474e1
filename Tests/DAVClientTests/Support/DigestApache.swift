import DAVCore
import DAVTesting
import Foundation

@testable import DAVClient

/// An Apache httpd with mod_dav and mod_auth_digest configured here, since the peer scripts only
/// offer Basic: `/digest/` needs Digest (MD5, qop=auth; the only algorithm mod_auth_digest has) as
/// alice:alice-pw. Started as a foreground process and stopped by its PID.
struct DigestApache {
    static let realm = "davdoctor digest"
    var base: String
    var work: String
    var server: Processes.Background

    static let modules = "/usr/lib/apache2/modules"
    static let digestModule = modules + "/mod_auth_digest.so"

    static func start() throws -> DigestApache {
        let work = try Processes.temporaryDirectory("apache-digest")
        let port = Processes.freePort()
        let root = work + "/root"
        let fm = FileManager.default
        for directory in [root + "/digest", work + "/logs", work + "/lock", work + "/run"] {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        try "behind digest\n".write(toFile: root + "/digest/note.txt", atomically: true, encoding: .utf8)
        // htdigest's format, written here because htdigest only reads the password from a terminal.
        let ha1 = Hex.string(MD5.hash(Array("alice:\(realm):alice-pw".utf8)))
        try "alice:\(realm):\(ha1)\n".write(toFile: work + "/htdigest", atomically: true, encoding: .utf8)
        _ = try Processes.run("/bin/chmod", ["-R", "a+rX", work])
        _ = try Processes.run("/bin/chown", ["-R", "www-data:www-data", root, work + "/lock", work + "/logs"])
        let config = """
            ServerRoot "\(work)"
            DefaultRuntimeDir "\(work)/run"
            PidFile "\(work)/run/httpd.pid"
            Mutex file:\(work)/run default
            Listen 127.0.0.1:\(port)
            ServerName 127.0.0.1:\(port)
            User www-data
            Group www-data
            LoadModule mpm_event_module \(modules)/mod_mpm_event.so
            LoadModule authn_core_module \(modules)/mod_authn_core.so
            LoadModule authn_file_module \(modules)/mod_authn_file.so
            LoadModule authz_core_module \(modules)/mod_authz_core.so
            LoadModule authz_user_module \(modules)/mod_authz_user.so
            LoadModule auth_digest_module \(modules)/mod_auth_digest.so
            LoadModule dav_module \(modules)/mod_dav.so
            LoadModule dav_fs_module \(modules)/mod_dav_fs.so
            StartServers 1
            ServerLimit 1
            ThreadsPerChild 8
            MaxRequestWorkers 8
            ErrorLog "\(work)/logs/error.log"
            LogLevel warn
            DavLockDB "\(work)/lock/DavLock"
            DocumentRoot "\(root)"
            <Directory />
                AllowOverride None
                Require all denied
            </Directory>
            <Directory "\(root)">
                Dav On
                Require all granted
            </Directory>
            <Location /digest/>
                AuthType Digest
                AuthName "\(realm)"
                AuthDigestProvider file
                AuthUserFile "\(work)/htdigest"
                Require valid-user
            </Location>

            """
        try config.write(toFile: work + "/httpd.conf", atomically: true, encoding: .utf8)
        let server = try Processes.Background(try Need.executable("apache2"), ["-f", work + "/httpd.conf", "-DFOREGROUND"])
        let apache = DigestApache(base: "http://127.0.0.1:\(port)", work: work, server: server)
        do {
            try Processes.waitForPort(port)
        } catch {
            apache.stop()
            throw error
        }
        return apache
    }

    func stop() {
        server.stop()
        try? FileManager.default.removeItem(atPath: work)
    }
}
