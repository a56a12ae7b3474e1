import NIOCore
import NIOHTTPTypes

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Puts a ``FileRegionWriter`` at the bottom of its connection's pipeline when it is added. Hummingbird adds
/// its extra handlers above the HTTP codecs, where bodies are still HTTP parts; the swap has to happen below
/// them, where the encoded bytes go to the socket unchanged.
///
/// For plain HTTP only, which is all `serve` speaks. Under TLS the bottom of the pipeline carries ciphertext:
/// the marker would be encrypted and sent as the body, and a file region cannot go through the encryption at
/// all. A TLS server must leave this handler out; its GET bodies then go out as buffers.
final class FileRegionWriterInstaller: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let handoff: FileRegionHandoff

    init(handoff: FileRegionHandoff) {
        self.handoff = handoff
    }

    func handlerAdded(context: ChannelHandlerContext) {
        do {
            try context.pipeline.syncOperations.addHandler(FileRegionWriter(handoff: handoff), position: .first)
        } catch {
            // Not installed: the handoff refuses this connection and its bodies go out as buffers.
        }
    }
}

/// Swaps each marker of ``FileRegionHandoff`` for the file region it stands for, just above the socket,
/// so that SwiftNIO sends the file with sendfile(2): no copy through user space, no thread hop per piece.
///
/// The file stays open until the region's write has completed, succeeded or failed: only then has NIO
/// finished calling sendfile on it. A file that is shorter than the region (truncated in place after its
/// size was read) would make NIO retry sendfile for ever, each call sending nothing; its connection is
/// closed instead, at once when that is seen before the write, else by a check once a second while the
/// write is in progress.
final class FileRegionWriter: ChannelOutboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// How often a region still being written checks that its file has not shrunk below it.
    static let shrinkCheckInterval = TimeAmount.seconds(1)

    private let handoff: FileRegionHandoff
    private var connection: ObjectIdentifier?

    init(handoff: FileRegionHandoff) {
        self.handoff = handoff
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let connection = ObjectIdentifier(context.channel)
        self.connection = connection
        handoff.open(connection: connection)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if let connection { handoff.close(connection: connection) }
        connection = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .byteBuffer(let buffer) = unwrapOutboundIn(data), buffer.readableBytes == FileRegionHandoff.markerLength,
            let connection
        else { return context.write(data, promise: promise) }
        switch handoff.recognise(buffer, on: connection) {
        case .data:
            context.write(data, promise: promise)
        case .marker(let entry):
            send(entry, context: context, promise: promise)
        case .stale:
            promise?.fail(FileRegionError.staleMarker)
            context.close(promise: nil)
        }
    }

    private func send(_ entry: FileRegionHandoff.Entry, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let end = entry.offset + entry.length
        guard Self.size(of: entry.file) >= end else {
            // The head is out already: the only honest answer left is to end the connection short.
            promise?.fail(FileRegionError.fileShrank)
            context.close(promise: nil)
            return
        }
        // Wraps the reader's descriptor without taking it: the reader closes it when `entry` is released.
        let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: entry.file.descriptor)
        let region = FileRegion(fileHandle: handle, readerIndex: Int(entry.offset), endIndex: Int(end))
        let channel = context.channel
        let shrinkCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: Self.shrinkCheckInterval, delay: Self.shrinkCheckInterval) {
            task in
            if Self.size(of: entry.file) < end {
                task.cancel()
                channel.close(promise: nil)
            }
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { _ in
            shrinkCheck.cancel()
            _ = try? handle.takeDescriptorOwnership()
            withExtendedLifetime(entry) {}
        }
        if let promise { written.futureResult.cascade(to: promise) }
        context.write(wrapOutboundOut(.fileRegion(region)), promise: written)
    }

    /// The file's size now; -1 when it cannot be read (then no region fits).
    private static func size(of file: any FileContentReader) -> Int64 {
        var status = stat()
        guard fstat(file.descriptor, &status) == 0 else { return -1 }
        return Int64(status.st_size)
    }
}

enum FileRegionError: Error {
    /// The file became shorter than the part of it the response announced.
    case fileShrank
    /// A buffer carrying the marker secret that is not a live marker of its connection.
    case staleMarker
}
