import DAVCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension FileSystemStorage {
    /// Deletes the hidden `.davdoctor-upload-*` files a killed server left behind (an upload or a COPY cut
    /// mid-body), anywhere in the tree, except those whose writer `isLive` says is still running (by the
    /// tag in the name; nil for an untagged one); returns how many. Only for start-up, before this server
    /// listens: its own uploads have the same names. Symbolic links are not followed.
    public func removeStaleUploads(keeping isLive: (String?) throws -> Bool) throws -> Int {
        var removed = 0
        var directories = [fullPath(.root)]
        while let directory = directories.popLast() {
            for name in DirectoryReader(directory)?.remainingNames() ?? [] {
                let full = directory.appending(name)
                var st = stat()
                guard full.withCString({ lstat($0, &st) }) == 0 else { continue }
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    directories.append(full)
                } else if Self.isUpload(name), try !isLive(Self.uploadTag(ofName: name)), full.withCString({ unlink($0) }) == 0 {
                    removed += 1
                }
            }
        }
        return removed
    }
}
