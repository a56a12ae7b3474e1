import DAVClient
import DAVCore

/// Runs `body` with a fresh client and shuts it down afterwards, whether `body` throws or not.
@discardableResult
func withClient<T>(
    _ configuration: DAVClient.Configuration = DAVClient.Configuration(connectTimeout: .seconds(5), readTimeout: .seconds(10)),
    _ body: (DAVClient) async throws -> T
) async throws -> T {
    let client = try DAVClient(configuration: configuration)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// The responses of a multistatus body, read by DAVCore's streaming parser.
func responses(_ body: [UInt8]) throws -> [Response] {
    try MultiStatusParser.parse(body).0.responses
}
