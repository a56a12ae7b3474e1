import DAVTesting
import Foundation

/// Misbehaving endpoints for the failure tests, each a real process stopped by its PID.
enum Listeners {
    /// A TCP listener on 127.0.0.1 that accepts connections and never answers (for read timeouts).
    static func silent() throws -> (port: Int, process: Processes.Background) {
        let script = """
            import socket, sys, time
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen(16)
            print(s.getsockname()[1], flush=True)
            held = []
            while True:
                c, _ = s.accept()
                held.append(c)
            """
        let process = try Processes.Background(try Need.executable("python3"), ["-c", script])
        guard let port = Int(process.firstLine()) else {
            process.stop()
            throw Processes.Failure(description: "the silent listener did not report its port")
        }
        return (port, process)
    }

    /// A listener that answers the first request on each connection (200, kept alive) and closes the
    /// connection without a word when a second request arrives on it: the race of a server closing an idle
    /// kept-alive connection just as the client sends on it, made certain.
    static func closesKeptConnections() throws -> (port: Int, process: Processes.Background) {
        let script = """
            import socket, threading
            def serve(c):
                data = b""
                while b"\\r\\n\\r\\n" not in data:
                    more = c.recv(4096)
                    if not more:
                        c.close()
                        return
                    data += more
                c.sendall(b"HTTP/1.1 200 OK\\r\\nDAV: 1\\r\\nContent-Length: 0\\r\\n\\r\\n")
                c.recv(4096)
                c.close()
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen(16)
            print(s.getsockname()[1], flush=True)
            while True:
                c, _ = s.accept()
                threading.Thread(target=serve, args=(c,), daemon=True).start()
            """
        let process = try Processes.Background(try Need.executable("python3"), ["-c", script])
        guard let port = Int(process.firstLine()) else {
            process.stop()
            throw Processes.Failure(description: "the listener did not report its port")
        }
        return (port, process)
    }

    /// `openssl s_server -www` with a fresh self-signed certificate for 127.0.0.1; returns the
    /// certificate's PEM path too (to trust it with `caCertificate`).
    static func tls(work: String) throws -> (port: Int, certificate: String, process: Processes.Background) {
        let openssl = try Need.executable("openssl")
        let certificate = work + "/cert.pem"
        let key = work + "/key.pem"
        try Processes.run(
            openssl,
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ])
        let port = Processes.freePort()
        let process = try Processes.Background(
            openssl,
            [
                "s_server", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key, "-www", "-quiet",
            ])
        do {
            try Processes.waitForPort(port)
        } catch {
            process.stop()
            throw error
        }
        return (port, certificate, process)
    }
}
