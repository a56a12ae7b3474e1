/// Interned namespaces and qualified names for one document (or one long-lived reader).
///
/// The tokenizer hands out `Int32` ids; ``name(_:)`` turns an id back into a ``QualifiedName``.
/// A reference type so the handler can read it while the tokenizer runs.
public final class XMLNameTable {
    private var namespaceInterner = ByteInterner()
    private var nameInterner = ByteInterner()
    public private(set) var namespaces: [String] = []
    private var qualifiedNames: [QualifiedName] = []
    private var namespaceOfName: [Int32] = []
    let maxDistinctNames: Int

    public init(maxDistinctNames: Int = XMLLimits().maxDistinctNames) {
        self.maxDistinctNames = maxDistinctNames
        _ = namespaceID("")
    }

    public var count: Int { qualifiedNames.count }

    public func name(_ id: Int32) -> QualifiedName { qualifiedNames[Int(id)] }

    public func namespaceID(_ uri: String) -> Int32 {
        var uri = uri
        return uri.withUTF8 { (try? namespaceID(bytes: UnsafeRawBufferPointer($0))) ?? 0 }
    }

    public func id(of name: QualifiedName) -> Int32 {
        let ns = namespaceID(name.namespace)
        var local = name.name
        return local.withUTF8 { (try? nameID(namespace: ns, local: UnsafeRawBufferPointer($0))) ?? 0 }
    }

    /// The limit is checked before a new entry is made, so a refused name is refused again next time.
    func namespaceID(bytes: UnsafeRawBufferPointer) throws -> Int32 {
        guard let interned = namespaceInterner.intern(bytes, tag: -1, limit: maxDistinctNames) else {
            throw DAVCoreError.limit("distinct namespaces", maxDistinctNames)
        }
        if interned.inserted { namespaces.append(String(decoding: bytes, as: UTF8.self)) }
        return interned.id
    }

    func nameID(namespace: Int32, local: UnsafeRawBufferPointer) throws -> Int32 {
        guard let interned = nameInterner.intern(local, tag: namespace, limit: maxDistinctNames) else {
            throw DAVCoreError.limit("distinct names", maxDistinctNames)
        }
        if interned.inserted {
            qualifiedNames.append(QualifiedName(namespaces[Int(namespace)], String(decoding: local, as: UTF8.self)))
            namespaceOfName.append(namespace)
        }
        return interned.id
    }
}
