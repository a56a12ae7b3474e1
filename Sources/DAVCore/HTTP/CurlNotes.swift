/// What curl's `-v` notes (the `* …` lines) say about an answer's framing. curl refuses some faults
/// outright and repairs others quietly; either way it stops saving where it gave up, so in a saved
/// `curl -v` capture its note is the only witness of the fault. Matched on the words curl 7.88 prints
/// (Debian 12's); curl 8 keeps them for these faults.
public enum CurlNotes {
    /// The framing fault a note reports, with the note quoted; nil for notes about anything else.
    public static func framingFault(_ note: String) -> FramingFault? {
        let text = note.hasPrefix("* ") ? String(note.dropFirst(2)) : note
        let lowered = text.lowercased()
        guard let kind = kinds.first(where: { lowered.contains($0.words) })?.kind else { return nil }
        return FramingFault(kind, detail: "curl said: \(text)")
    }

    /// The words of each note, most specific first.
    private static let kinds: [(words: String, kind: FramingFault.Kind)] = [
        ("header without colon", .lineWithoutColon),
        ("nul byte in header", .controlBytes),
        ("chunked-encoding", .badChunkSize),
        ("chunk hex-length", .badChunkSize),
        ("bytes remaining to read", .bodyShorter),
        ("outstanding read data remaining", .bodyShorter),
        ("excess found", .bodyLonger),
        ("http/0.9 when not allowed", .http09),
    ]
}
