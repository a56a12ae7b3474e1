import Foundation

/// The tree every scenario starts from, with names that are hostile to clients on purpose: spaces, `#`,
/// `&`, `+`, `%`, NFC and NFD twins, an emoji; a locked-files area, a private and a per-user subtree.
/// The same tree as the peers' (scripts/peers/lib.sh make_tree), so lab and peer runs compare.
enum LabTree {
    static func seed(_ root: String) throws {
        let files: [(String, String)] = [
            ("docs/plain.txt", "plain text\n"),
            ("docs/a b.txt", "a file with a space\n"),
            ("docs/hash#tag.txt", "hash in name\n"),
            ("docs/amp&plus+.txt", "amp & plus+\n"),
            ("docs/Caf\u{E9}.txt", "NFC e-acute (U+00E9)\n"),
            ("docs/smile \u{1F600}.txt", "emoji\n"),
            ("docs/sub/nested.txt", "nested\n"),
            ("unicode/Caf\u{E9}.txt", "NFC e-acute\n"),
            ("unicode/Cafe\u{301}.txt", "NFD e + combining acute\n"),
            ("unicode/Re\u{301}sume\u{301}.txt", "NFD only\n"),
            ("pct/100%.txt", "percent in name\n"),
            ("pct/50%25 off.txt", "literal percent-two-five in name\n"),
            ("locks/held.txt", "lock me\n"),
            ("locks/free.txt", "free\n"),
            ("locks/sub/deep.txt", "nested under locks\n"),
            ("private/secret.txt", "nobody may read this\n"),
            ("secret/note.txt", "behind basic auth\n"),
            ("secret/alice/diary.txt", "only alice\n"),
        ]
        let manager = FileManager.default
        for folder in ["upload", "empty"] {
            try manager.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        for (path, content) in files {
            // Write the names byte for byte: Swift string literals would otherwise compare NFC and NFD equal.
            let full = root + "/" + path
            try manager.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard manager.createFile(atPath: full, contents: Data(content.utf8)) else { throw LabError("cannot create \(full)") }
        }
    }
}
