import Foundation

/// The labelled corpus of real answers under `Tests/Corpus/` (see its README): one `cases.jsonl` per setup,
/// each line a request as it was sent, the capture file, and the cause a WebDAV engineer names first.
public enum Corpus {
    public static let root: URL = Fixtures.packageRoot.appendingPathComponent("Tests/Corpus")

    public struct Case: Sendable, Decodable, CustomStringConvertible {
        public var id: String
        public var setup: String
        public var file: String
        public var method: String
        public var url: String
        public var headers: [[String]]
        public var body: String?
        public var user: String?
        public var cause: String
        public var resources: [String]
        public var kind: String
        public var status: Int
        public var notes: String
        /// Kept out of rule-writing: chosen by a hash of the id when the case was captured.
        public var holdout: Bool

        public var description: String { "\(setup)/\(id)" }
        public var capture: URL { Corpus.root.appendingPathComponent(setup).appendingPathComponent(file) }
        public var bodyURL: URL? { body.map { Corpus.root.appendingPathComponent(setup).appendingPathComponent($0) } }
        /// The request headers as sent, with a stand-in Authorization where the case signed in.
        public var requestHeaders: [(String, String)] {
            headers.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil } + (user != nil ? [("Authorization", "Basic (not shown)")] : [])
        }
    }

    /// Every case of every setup, in setup and file order.
    public static func cases() throws -> [Case] {
        let decoder = JSONDecoder()
        var all: [Case] = []
        for setup in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            let manifest = root.appendingPathComponent(setup).appendingPathComponent("cases.jsonl")
            guard let text = try? String(contentsOf: manifest, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where !line.isEmpty {
                all.append(try decoder.decode(Case.self, from: Data(line.utf8)))
            }
        }
        return all
    }
}
