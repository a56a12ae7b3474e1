import DAVClient
import DAVCore
import Foundation
import Transcripts

/// Turns a run kept by `check --save DIR` into a HAR 1.2 file (`--save-har FILE`), so it can be opened in
/// any HAR viewer and shared, and `davdoctor analyze` reads it back to the same findings. The exchanges are
/// read back from the directory, as ``ExchangeRecorder`` wrote them (Authorization stays `[redacted]`).
public enum SavedRunHAR {
    public static func render(directory: String, version: String) throws -> [UInt8] {
        let items = try ExchangeRecorder.savedExchanges(in: directory).map { entry in try item(entry, directory: directory) }
        return try HARWriter.render(items, creator: "davdoctor", version: version, comment: "davdoctor check: every request it sent, in order")
    }

    public static func write(directory: String, to path: String, version: String) throws {
        let bytes = try render(directory: directory, version: version)
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw DAVCoreError(.io, "cannot write \(path)")
        }
    }

    static func item(_ entry: ExchangeRecorder.Entry, directory: String) throws -> HARWriter.Item {
        let request = try readRequest(directory + "/" + entry.requestFile, url: entry.url)
        var response: ResponseHead?
        var body: [UInt8]?
        if entry.status != nil {
            var reader = try CaptureReader(path: directory + "/" + entry.responseFile)
            defer { reader.close() }
            response = try reader.readHead().response
            body = try reader.readWholeBody().0
        }
        let started = entry.timings.map { ISO8601DateFormatter().string(from: $0.start) }
        return HARWriter.Item(
            exchange: Exchange(request: request, response: response, body: body), started: started, milliseconds: entry.timings?.totalMilliseconds)
    }

    /// A saved request: request line, header fields, an empty line, the body.
    static func readRequest(_ path: String, url: String) throws -> RequestInfo {
        guard let data = FileManager.default.contents(atPath: path) else { throw DAVCoreError(.io, "cannot read \(path)") }
        let bytes = Array(data)
        let separator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        var end = bytes.count
        var bodyStart = bytes.count
        if bytes.count >= 4 {
            for index in 0...(bytes.count - 4) where Array(bytes[index..<index + 4]) == separator {
                end = index
                bodyStart = index + 4
                break
            }
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let method = lines.first?.split(separator: " ").first else {
            throw DAVCoreError(.malformedCapture, "\(path) has no request line")
        }
        var headers = HTTPFields()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.add(String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingASCIIWhitespace())
        }
        let body = Array(bytes[bodyStart...])
        return RequestInfo(method: String(method), url: url, headers: headers, body: body.isEmpty ? nil : body)
    }
}
