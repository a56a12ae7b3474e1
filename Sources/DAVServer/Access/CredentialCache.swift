import DAVCore
import Foundation

/// Basic credentials verified recently, so a slow password hash is paid once per user per minute rather
/// than on every request. Keys are SHA-256 digests of the credential, never the password itself.
final class CredentialCache: @unchecked Sendable {
    private let entries = Locked<[[UInt8]: (user: String, expires: Double)]>([:])
    let lifetime: Double
    let capacity = 4096

    init(lifetime: Double = 60) {
        self.lifetime = lifetime
    }

    func user(for credential: String, now: Double) -> String? {
        let key = SHA256.hash(Array(credential.utf8))
        return entries.withLock { entries in
            guard let entry = entries[key] else { return nil }
            if entry.expires <= now {
                entries[key] = nil
                return nil
            }
            return entry.user
        }
    }

    func remember(_ credential: String, user: String, now: Double) {
        let key = SHA256.hash(Array(credential.utf8))
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries[key] = (user, now + lifetime)
        }
    }
}
