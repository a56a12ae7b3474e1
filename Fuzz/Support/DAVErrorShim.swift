/// The path resolver throws the server's 400; the fuzz build compiles it without the HTTP stack, so this
/// stands in for DAVServer's DAVError with the one case the resolver uses.
struct DAVError: Error {
    let status: Int
    let message: String
    static func badRequest(_ message: String) -> DAVError { DAVError(status: 400, message: message) }
}
