import NIOCore
import Synchronization

/// Hands a large GET body from the responder to the bottom of its connection's pipeline, where the kernel
/// sends it straight from the file with sendfile(2) (SwiftNIO's `IOData.fileRegion`).
///
/// Hummingbird's response body writer takes only `ByteBuffer`s, and the codecs between it and the socket
/// turn HTTP parts into bytes. So the responder writes a small *marker* buffer as the body instead and
/// files here what it stands for; ``FileRegionWriter``, below the HTTP encoder, swaps the marker for the
/// file region. A marker is recognised by the address of its storage, which stays allocated while the
/// entry here holds the marker, and by a random secret drawn once per server: no body read from a file
/// or a request can pass for one.
///
/// Entries are kept per connection and only while that connection's ``FileRegionWriter`` is in its
/// pipeline: a connection without one (a test's embedded channel) is refused and keeps the buffered path,
/// and a connection that closes before its marker reaches the bottom drops its entries, and with them the
/// open files.
final class FileRegionHandoff: Sendable {
    /// 16 random bytes, then the entry's number.
    static let markerLength = 24

    /// What a marker stands for: `length` bytes of `file` from `offset`. Holding it keeps the file open.
    struct Entry: Sendable {
        let file: any FileContentReader
        let offset: Int64
        let length: Int64
        fileprivate let marker: ByteBuffer
        fileprivate let markerAddress: UInt
    }

    private struct State {
        /// Per connection (its `Channel`'s identity) with a ``FileRegionWriter``: entries by number.
        var connections: [ObjectIdentifier: [UInt64: Entry]] = [:]
        var lastNumber: UInt64 = 0
        var regionsSent = 0
    }

    private let state = Mutex(State())
    /// What every marker of this server begins with; never leaves the process.
    let secret: [UInt8]

    init() {
        var random = SystemRandomNumberGenerator()
        secret = (0..<16).map { _ in random.next() }
    }

    /// A connection's ``FileRegionWriter`` is in place: markers may be written on it from now on.
    func open(connection: ObjectIdentifier) {
        state.withLock { $0.connections[connection] = [:] }
    }

    /// The connection's ``FileRegionWriter`` is gone (the connection closed): its markers will never be
    /// swapped, so their files are closed (here, outside the lock, as the entries are released).
    func close(connection: ObjectIdentifier) {
        let dropped = state.withLock { $0.connections.removeValue(forKey: connection) }
        _ = dropped
    }

    /// A marker to write on `channel` as the body, standing for `length` bytes of `file` from `offset`;
    /// nil when the channel cannot swap markers (then the body must go out as bytes).
    func marker(for file: any FileContentReader, offset: Int64, length: Int64, on channel: any Channel) -> ByteBuffer? {
        let connection = ObjectIdentifier(channel)
        return state.withLock { state -> ByteBuffer? in
            guard state.connections[connection] != nil else { return nil }
            state.lastNumber += 1
            let number = state.lastNumber
            var marker = ByteBufferAllocator().buffer(capacity: Self.markerLength)
            marker.writeBytes(secret)
            marker.writeInteger(number)
            let entry = Entry(file: file, offset: offset, length: length, marker: marker, markerAddress: Self.address(of: marker))
            state.connections[connection]![number] = entry
            return marker
        }
    }

    /// Forgets a marker that will not be written after all (its write failed); its file is closed.
    func withdraw(_ marker: ByteBuffer, on channel: any Channel) {
        guard let number = number(in: marker) else { return }
        let dropped = state.withLock { $0.connections[ObjectIdentifier(channel)]?.removeValue(forKey: number) }
        _ = dropped
    }

    /// What `buffer` does with respect to markers on `connection`.
    enum Recognition {
        /// Ordinary bytes: send them.
        case data
        /// A marker of this connection: send the entry's file region instead (the entry is no longer held here).
        case marker(Entry)
        /// Carries the secret but is not a live marker of this connection (a copy, or one already withdrawn):
        /// must never reach the client.
        case stale
    }

    func recognise(_ buffer: ByteBuffer, on connection: ObjectIdentifier) -> Recognition {
        guard buffer.readableBytes == Self.markerLength, buffer.readableBytesView.prefix(secret.count).elementsEqual(secret),
            let number = number(in: buffer)
        else { return .data }
        let address = Self.address(of: buffer)
        let entry = state.withLock { state -> Entry? in
            guard let entry = state.connections[connection]?[number], entry.markerAddress == address else { return nil }
            state.connections[connection]![number] = nil
            state.regionsSent += 1
            return entry
        }
        return entry.map(Recognition.marker) ?? .stale
    }

    /// Markers filed and not yet swapped or dropped, over all connections (for tests).
    var pendingCount: Int { state.withLock { $0.connections.values.reduce(0) { $0 + $1.count } } }

    /// Markers swapped for their file region so far (for tests: the large bodies that took this path).
    var regionsSent: Int { state.withLock { $0.regionsSent } }

    /// Connections that can swap markers now (for tests).
    var openConnectionCount: Int { state.withLock { $0.connections.count } }

    private func number(in marker: ByteBuffer) -> UInt64? {
        marker.getInteger(at: marker.readerIndex + secret.count, as: UInt64.self)
    }

    private static func address(of buffer: ByteBuffer) -> UInt {
        buffer.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
    }
}
