import DAVServer
import Testing
import Yams

/// The configuration's limits reach the server through one door (`DAVServerOptions.apply`), checked on the way.
struct ServerLimitsTests {
    static func limits(_ yaml: String) throws -> ServerConfiguration.Limits {
        try YAMLDecoder().decode(ServerConfiguration.Limits.self, from: yaml)
    }

    @Test func everyLimitIsApplied() throws {
        var options = DAVServerOptions(storage: MemoryStorage())
        try options.apply(try Self.limits("{maxBodyBytes: 4096, depthInfinity: false, syncResults: 7, requestHeadSeconds: 2.5, idleSeconds: 9}"))
        #expect(options.maxBodyBytes == 4096)
        #expect(options.allowsDepthInfinity == false)
        #expect(options.maxSyncResults == 7)
        #expect(options.requestHeadTimeout == .milliseconds(2500))
        #expect(options.idleTimeout == .seconds(9))
    }

    @Test(arguments: ["{syncResults: 0}", "{syncHistory: -3}", "{requestHeadSeconds: 0}", "{idleSeconds: -1}"])
    func aLimitThatCannotBeServedIsRefused(_ yaml: String) throws {
        var options = DAVServerOptions(storage: MemoryStorage())
        let before = options.maxSyncResults
        #expect(throws: DAVServerOptions.InvalidLimit.self) { try options.apply(try Self.limits(yaml)) }
        #expect(options.maxSyncResults == before)
    }
}
