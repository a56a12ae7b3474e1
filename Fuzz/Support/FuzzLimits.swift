/// Limits small enough that a fuzzer input can reach each of them in a few kilobytes.
enum FuzzLimits {
    static var xml: XMLLimits {
        var limits = XMLLimits()
        limits.maxDepth = 64
        limits.maxNameBytes = 256
        limits.maxTextBytes = 64 << 10
        limits.maxResponseBytes = 1 << 20
        return limits
    }
}
