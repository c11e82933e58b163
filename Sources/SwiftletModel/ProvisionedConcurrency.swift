import Foundation

/// Environments kept initialized for one published version or alias of a function, so that its invocations find
/// one ready rather than starting one.
public struct ProvisionedConcurrencyConfig: Sendable, Equatable {
    public var accountId: String
    public var region: String
    public var functionName: String
    /// A published version number or an alias name.
    public var qualifier: String
    /// How many environments to keep ready.
    public var requested: Int
    public var lastModified: Date

    public init(
        accountId: String, region: String, functionName: String, qualifier: String, requested: Int, lastModified: Date
    ) {
        self.accountId = accountId
        self.region = region
        self.functionName = functionName
        self.qualifier = qualifier
        self.requested = requested
        self.lastModified = lastModified
    }

    /// The qualified ARN the configuration is for.
    public var functionArn: String {
        ARN.function(region: region, account: accountId, name: functionName, qualifier: qualifier)
    }
}
