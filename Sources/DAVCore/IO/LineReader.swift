/// Streams a text file line by line in bounded memory, gunzipping it on the way when it is compressed
/// (rotated logs such as `access.log.2.gz`). Lines longer than `maxLineBytes` are cut there.
public enum LineReader {
    public static func forEachLine(path: String, maxLineBytes: Int = 64 << 10, _ body: (String) throws -> Void) throws {
        var reader = try CaptureReader(path: path)
        defer { reader.close() }
        var pending: [UInt8] = []
        func emit(_ bytes: ArraySlice<UInt8>) throws {
            var text = String(decoding: bytes.prefix(maxLineBytes), as: UTF8.self)
            if text.hasSuffix("\r") { text.removeLast() }
            try body(text)
        }
        try reader.readRaw { chunk in
            var start = 0
            for index in 0..<chunk.count where chunk[index] == 0x0A {
                if pending.isEmpty {
                    try emit(ArraySlice(chunk[start..<index]))
                } else {
                    pending.append(contentsOf: chunk[start..<index])
                    try emit(pending[...])
                    pending.removeAll(keepingCapacity: true)
                }
                start = index + 1
            }
            if start < chunk.count {
                pending.append(contentsOf: chunk[start...])
                if pending.count > maxLineBytes * 2 { pending.removeFirst(pending.count - maxLineBytes) }
            }
        }
        if !pending.isEmpty { try emit(pending[...]) }
    }
}
