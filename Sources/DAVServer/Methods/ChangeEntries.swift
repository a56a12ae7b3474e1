import DAVCore

/// The change-log entries of the methods that change the tree, worked out before the change is made
/// (``ChangeLog``: log, then act).
///
/// A collection that goes or arrives is logged member by member: a sync at level infinite must tell a client
/// of each member a COPY or MOVE brought, and of each member of a collection that was removed and mapped
/// again (a client that only heard "changed" for the collection would keep its old members). Members of a
/// collection that stays removed are logged too but not reported (RFC 6578 §3.5.2: the collection stands
/// for them). The cost is one walk of the subtree, inside the change's own critical section.
extension DAVResponder {
    /// `path` and, for a collection, everything below it, as removed.
    func removalEntries(_ path: ResourcePath, _ info: ResourceInfo) throws -> [ChangeEntry] {
        var entries = [ChangeEntry(path, .removed, isCollection: info.isCollection)]
        if info.isCollection {
            try options.storage.walk(path) { member in
                entries.append(ChangeEntry(member.path, .removed, isCollection: member.isCollection))
                return true
            }
        }
        return entries
    }

    /// `target` and, when `recursive`, what lies below `source` mapped under `target`, as created.
    func creationEntries(_ target: ResourcePath, from source: ResourcePath, _ info: ResourceInfo, recursive: Bool) throws -> [ChangeEntry] {
        var entries = [ChangeEntry(target, .created, isCollection: info.isCollection)]
        if info.isCollection && recursive {
            try options.storage.walk(source) { member in
                let mapped = ResourcePath(segments: target.segments + member.path.segments.dropFirst(source.depth))
                entries.append(ChangeEntry(mapped, .created, isCollection: member.isCollection))
                return true
            }
        }
        return entries
    }

    /// Keeps each path's last entry (a replaced destination's members removed, then created), in the
    /// order of those last entries.
    static func lastPerPath(_ entries: [ChangeEntry]) -> [ChangeEntry] {
        var seen = Set<ResourcePath>()
        var kept: [ChangeEntry] = []
        for entry in entries.reversed() where seen.insert(entry.path).inserted { kept.append(entry) }
        return kept.reversed()
    }
}
