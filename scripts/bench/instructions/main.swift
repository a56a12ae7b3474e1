import DAVCore

#if canImport(Glibc)
    import Glibc
#endif

// The workloads scripts/bench/instructions.sh counts under callgrind: each path whose cost rests on what
// the compiler does with the code (a borrowed argument, a struct tested in place), run a set number of times.
// Each prints a sum of what it computed, so that the optimizer cannot drop the work.

/// Live and dead property names, as a server's PROPFIND answer holds them.
let names = [
    DAV.creationdate, DAV.getcontentlength, DAV.getetag, DAV.getlastmodified, DAV.resourcetype, DAV.displayname, DAV.getcontenttype,
    DAV.lockdiscovery, DAV.supportedlock, QualifiedName("urn:example:props", "author"),
]

func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fatalError("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while case let count = fread(&buffer, 1, buffer.count, file), count > 0 { bytes += buffer[0..<count] }
    return bytes
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else { fatalError("usage: instructions classify|properties COUNT, or read|parse FILE") }
var sum = 0
switch arguments[1] {
case "classify":
    // LiveProperty's byte comparison.
    for _ in 0..<Int(arguments[2])! {
        for name in names where LiveProperty(name) != nil { sum += 1 }
    }
case "properties":
    // A Property made from a name, as the server makes one per property per resource: LiveProperty's
    // borrowed argument and its byte comparison.
    for round in 0..<Int(arguments[2])! {
        for name in names where Property(name, text: round & 1 == 0 ? "a" : "b").live != nil { sum += 1 }
    }
case "read":
    // The file alone: what `parse` costs besides the parse.
    sum = readFile(arguments[2]).count
case "parse":
    // The streaming multistatus parser, whose flags spare it testing the optionals it keeps, and what the
    // analysis asks of every response.
    let (multistatus, _) = try MultiStatusParser.parse(readFile(arguments[2]))
    for response in multistatus.responses where response.isCollection { sum += 1 }
    for response in multistatus.responses { sum += response.resourceStatus ?? 0 }
default:
    fatalError("unknown workload \(arguments[1])")
}
print(sum)
