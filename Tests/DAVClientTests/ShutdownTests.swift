import DAVClient
import Testing

/// ``DAVClient/withClient(configuration:_:)`` shuts the client down before it returns, whether the body
/// returned or threw: after it, the client is closed already, so one more shutdown is refused.
struct ShutdownTests {
    final class Holder: @unchecked Sendable {
        var client: DAVClient?
    }

    struct Boom: Error {}

    @Test func closedWhenTheBodyReturns() async throws {
        let holder = Holder()
        let value = try await DAVClient.withClient(configuration: .init()) { client in
            holder.client = client
            return 7
        }
        #expect(value == 7)
        let client = try #require(holder.client)
        await #expect(throws: (any Error).self) { try await client.shutdown() }
    }

    @Test func closedWhenTheBodyThrows() async throws {
        let holder = Holder()
        await #expect(throws: Boom.self) {
            try await DAVClient.withClient(configuration: .init()) { client in
                holder.client = client
                throw Boom()
            }
        }
        let client = try #require(holder.client)
        await #expect(throws: (any Error).self) { try await client.shutdown() }
    }
}
