import Foundation

/// Finds and reads the captures under `Tests/Fixtures/`, and the table each folder's SOURCE.md keeps.
public enum Fixtures {
    /// `Tests/Fixtures`, found from this file's location so tests run from any working directory;
    /// `DAVDOCTOR_FIXTURES` points the tests at a fresh capture instead (CI re-captures from real servers).
    public static let root: URL = {
        if let override = ProcessInfo.processInfo.environment["DAVDOCTOR_FIXTURES"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/Fixtures")
    }()

    public static let packageRoot: URL = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    public static func bytes(_ relative: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(relative)))
    }

    /// One row of a SOURCE.md table: `| file | method | url | depth | cause | resources | notes |`.
    public struct Row: Sendable, CustomStringConvertible {
        public var folder: String
        public var file: String
        public var method: String
        public var url: String
        public var depth: String?
        public var cause: String
        public var resources: [String]
        public var notes: String

        public var path: String { "\(folder)/\(file)" }
        public var description: String { path }
        /// The cause cannot be told from the bytes alone (the server answers two faults the same way).
        public var isAmbiguous: Bool { notes.contains("ambiguous:") }
        /// Only a live check (or the server's log) shows the cause.
        public var isLiveOnly: Bool { notes.contains("live only:") }

        /// Request headers the notes record (`Destination: …`, `If: …`).
        public var headers: [(String, String)] {
            notes.split(separator: ";").compactMap { part in
                let text = part.trimmingCharacters(in: .whitespaces)
                for name in ["Destination", "If", "Lock-Token", "Overwrite", "Content-Type"] where text.hasPrefix(name + ": ") {
                    return (name, String(text.dropFirst(name.count + 2)))
                }
                return nil
            }
        }

        /// The request body the capture script sent, when the table says which: a `body NAME` notes part
        /// names `request-bodies/NAME` (every REPORT row has one); older rows are inferred from their notes
        /// and method.
        public var requestBody: String? {
            for part in notes.split(separator: ";") {
                // exactly "body NAME.xml": a remark such as "body over 1,000,000 bytes" is not one
                let words = part.split(separator: " ")
                if words.count == 2, words[0] == "body", words[1].hasSuffix(".xml") { return "request-bodies/\(words[1])" }
            }
            if notes.range(of: #"(^|; )prop body"#, options: .regularExpression) != nil { return "request-bodies/propfind-named-props.xml" }
            if method == "PROPPATCH" { return "request-bodies/proppatch-protected.xml" }
            return nil
        }
    }

    /// Every row of every SOURCE.md table.
    public static func rows() throws -> [Row] {
        let folders = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        var rows: [Row] = []
        for folder in folders {
            let source = root.appendingPathComponent(folder).appendingPathComponent("SOURCE.md")
            guard let text = try? String(contentsOf: source, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| file ") {
                let cells = line.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "|"))
                    .components(separatedBy: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                guard cells.count == 7, !cells[0].hasPrefix("---") else { continue }
                rows.append(
                    Row(
                        folder: folder, file: cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`")), method: cells[1], url: cells[2],
                        depth: cells[3] == "-" ? nil : cells[3], cause: cells[4],
                        resources: cells[5] == "-" ? [] : cells[5].components(separatedBy: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                        notes: cells[6]))
            }
        }
        return rows
    }
}
