import DAVCore

/// Collapses failing resources into the smallest set of subtrees that covers them: a failing collection
/// whose every member failed the same way stands for all of them.
enum SubtreeCollapse {
    static func collapse(_ records: [ResourceRecord], membersPerCollection: [String: Int]) -> [String] {
        let byPath = Dictionary(records.map { (URLPath.withoutTrailingSlash($0.path), $0) }, uniquingKeysWith: { a, _ in a })
        var failingMembers: [String: Int] = [:]
        for path in byPath.keys {
            let parent = URLPath.withoutTrailingSlash(URLPath.parent(of: path))
            if parent != path { failingMembers[parent, default: 0] += 1 }
        }
        // A collection is whole when it failed and all its members did (members that are collections whole too).
        var whole: [String: Bool] = [:]
        func isWhole(_ path: String) -> Bool {
            if let known = whole[path] { return known }
            guard let record = byPath[path], record.isCollection else {
                whole[path] = false
                return false
            }
            let members = membersPerCollection[path] ?? 0
            var result = (failingMembers[path] ?? 0) == members
            if result && members > 0 {
                for (other, otherRecord) in byPath
                where otherRecord.isCollection && URLPath.withoutTrailingSlash(URLPath.parent(of: other)) == path && other != path {
                    if !isWhole(other) {
                        result = false
                        break
                    }
                }
            }
            whole[path] = result
            return result
        }
        var covered: [String] = []
        for record in records.sorted(by: { $0.path < $1.path }) {
            let path = URLPath.withoutTrailingSlash(record.path)
            // Skip anything inside a whole subtree already listed.
            if let last = covered.last, isWhole(URLPath.withoutTrailingSlash(last)), URLPath.isWithin(path, last) { continue }
            covered.append(record.path)
        }
        return covered
    }
}
