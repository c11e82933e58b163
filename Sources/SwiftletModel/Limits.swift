/// The quotas a node enforces. Defaults are Lambda's documented limits; the ones AWS lets customers raise can be
/// raised per node.
public struct Limits: Sendable, Equatable {
    /// Largest zip accepted in a request, in bytes (50 MB).
    public var codeSizeZipped: Int64 = 52_428_800
    /// Largest size code and layers may expand to, in bytes (250 MB).
    public var codeSizeUnzipped: Int64 = 262_144_000
    /// Total code an account may store, in bytes (75 GB).
    public var totalCodeSize: Int64 = 80_530_636_800
    /// Concurrent executions per account.
    public var concurrentExecutions: Int = 1000
    /// Concurrency that reservations may never take from the account.
    public var minimumUnreservedConcurrency: Int = 100
    /// Largest control-plane request body, in bytes: a 50 MB zip in base64 inside JSON.
    public var controlRequestBytes: Int = 70_167_211
    /// Largest synchronous invocation payload, request or response, in bytes (6 MB).
    public var synchronousPayloadBytes: Int = 6_291_456
    /// Largest asynchronous invocation payload, in bytes (256 KB).
    public var asynchronousPayloadBytes: Int = 262_144
    /// Memory range in MB.
    public var memorySize: ClosedRange<Int> = 128...10_240
    /// Timeout range in seconds.
    public var timeout: ClosedRange<Int> = 1...900
    /// `/tmp` size range in MB.
    public var ephemeralStorage: ClosedRange<Int> = 512...10_240
    /// Environment variables, measured as their compact JSON, in bytes.
    public var environmentBytes: Int = 4096
    /// Tags per function.
    public var tagsPerResource: Int = 50
    /// Longest function name.
    public var functionNameLength: Int = 64
    /// Longest description.
    public var descriptionLength: Int = 256
    /// Largest page of ListFunctions.
    public var listPageSize: Int = 50

    public init() {}
}
