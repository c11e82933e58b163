import Foundation

/// How asynchronous events of one version or alias of a function are handled: how often a failing one is tried
/// again, how old one may grow, and where records of its outcome go.
public struct EventInvokeConfig: Sendable, Equatable {
    public var accountId: String
    public var region: String
    public var functionName: String
    /// `$LATEST`, a version number or an alias name.
    public var qualifier: String
    /// Retries after a function error, 0 to 2; nil keeps AWS's default of 2.
    public var maximumRetryAttempts: Int?
    /// Seconds an event is kept trying, 60 to 21,600; nil keeps AWS's default of 21,600.
    public var maximumEventAgeInSeconds: Int?
    /// ARN that receives a record of each event that succeeded.
    public var onSuccess: String?
    /// ARN that receives a record of each event that failed for good.
    public var onFailure: String?
    public var lastModified: Date

    public init(
        accountId: String, region: String, functionName: String, qualifier: String, maximumRetryAttempts: Int? = nil,
        maximumEventAgeInSeconds: Int? = nil, onSuccess: String? = nil, onFailure: String? = nil,
        lastModified: Date
    ) {
        self.accountId = accountId
        self.region = region
        self.functionName = functionName
        self.qualifier = qualifier
        self.maximumRetryAttempts = maximumRetryAttempts
        self.maximumEventAgeInSeconds = maximumEventAgeInSeconds
        self.onSuccess = onSuccess
        self.onFailure = onFailure
        self.lastModified = lastModified
    }

    /// The qualified ARN of what the configuration is for.
    public var functionArn: String {
        ARN.function(region: region, account: accountId, name: functionName, qualifier: qualifier)
    }
}
