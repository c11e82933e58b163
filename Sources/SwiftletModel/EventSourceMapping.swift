import Foundation

/// A function reading an SQS queue: how messages are batched, which ones it sees, and how it reports failures.
public struct EventSourceMapping: Sendable, Equatable {
    /// The mapping's identity, a UUID chosen when it was created.
    public var uuid: String
    public var accountId: String
    public var region: String
    public var functionName: String
    /// The version or alias the mapping invokes; nil for `$LATEST` named without a qualifier.
    public var qualifier: String?
    /// The queue's ARN.
    public var eventSourceArn: String
    /// Most messages in one invocation: 1 to 10,000 (10 for FIFO queues).
    public var batchSize: Int
    /// Seconds spent gathering a batch before invoking with what came: 0 to 300.
    public var maximumBatchingWindowInSeconds: Int
    /// False while the mapping is paused: messages stay in the queue.
    public var enabled: Bool
    /// The `FilterCriteria.Filters[].Pattern` texts, as given.
    public var filterPatterns: [String]
    /// True when the function may answer `batchItemFailures` to fail some messages of a batch only.
    public var reportsBatchItemFailures: Bool
    /// `ScalingConfig.MaximumConcurrency`: most batches invoked at once, 2 to 1,000; nil for the node's default.
    public var maximumConcurrency: Int?
    public var lastModified: Date

    public init(
        uuid: String, accountId: String, region: String, functionName: String, qualifier: String?,
        eventSourceArn: String, batchSize: Int = 10, maximumBatchingWindowInSeconds: Int = 0, enabled: Bool = true,
        filterPatterns: [String] = [], reportsBatchItemFailures: Bool = false, maximumConcurrency: Int? = nil,
        lastModified: Date
    ) {
        self.uuid = uuid
        self.accountId = accountId
        self.region = region
        self.functionName = functionName
        self.qualifier = qualifier
        self.eventSourceArn = eventSourceArn
        self.batchSize = batchSize
        self.maximumBatchingWindowInSeconds = maximumBatchingWindowInSeconds
        self.enabled = enabled
        self.filterPatterns = filterPatterns
        self.reportsBatchItemFailures = reportsBatchItemFailures
        self.maximumConcurrency = maximumConcurrency
        self.lastModified = lastModified
    }

    /// The function's ARN, with the qualifier when the mapping names one.
    public var functionArn: String {
        ARN.function(region: region, account: accountId, name: functionName, qualifier: qualifier)
    }

    /// `arn:aws:lambda:REGION:ACCOUNT:event-source-mapping:UUID`.
    public var arn: String {
        "arn:aws:lambda:\(region):\(accountId):event-source-mapping:\(uuid)"
    }
}
