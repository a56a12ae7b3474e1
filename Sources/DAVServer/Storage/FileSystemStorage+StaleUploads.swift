#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension FileSystemStorage {
    /// Deletes the hidden `.davdoctor-upload-*` files a killed server left behind (an upload or a COPY cut
    /// mid-body), anywhere in the tree; returns how many. Only for start-up, before the server listens: a
    /// live server's uploads in progress have the same names. Symbolic links are not followed.
    public func removeStaleUploads() -> Int {
        var removed = 0
        var directories = [fullPath(.root)]
        while let directory = directories.popLast() {
            guard let dir = opendir(directory) else { continue }
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard name != ".", name != ".." else { continue }
                let full = (directory == "/" ? "" : directory) + "/" + name
                var st = stat()
                guard lstat(full, &st) == 0 else { continue }
                if (st.st_mode & S_IFMT) == S_IFDIR {
                    directories.append(full)
                } else if name.hasPrefix(Self.uploadPrefix), unlink(full) == 0 {
                    removed += 1
                }
            }
            closedir(dir)
        }
        return removed
    }
}
