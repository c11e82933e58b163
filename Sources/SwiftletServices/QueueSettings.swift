/// The attributes of a queue that decide how its messages are delivered, read from its stored attribute map.
public struct QueueSettings: Sendable, Equatable {
    /// Seconds a new message stays hidden.
    public var delaySeconds: Int
    /// Largest body plus attributes, in bytes.
    public var maximumMessageSize: Int
    /// Seconds a message is kept before it is deleted unreceived.
    public var retentionSeconds: Int
    /// Seconds ReceiveMessage waits when the request does not say.
    public var receiveWaitSeconds: Int
    /// Seconds a received message stays hidden when the receive does not say.
    public var visibilityTimeout: Int
    /// True for FIFO queues.
    public var fifo: Bool
    /// True when a FIFO queue derives deduplication ids from the body's SHA-256.
    public var contentBasedDeduplication: Bool
    /// True when deduplication ids apply per message group rather than per queue.
    public var deduplicatesPerGroup: Bool
    /// Where messages received too often go.
    var redrive: RedrivePolicy?

    /// Reads the settings of a stored attribute map, taking defaults for what is missing.
    public init(attributes: [String: String]) {
        func number(_ name: String, _ fallback: Int) -> Int { attributes[name].flatMap { Int($0) } ?? fallback }
        delaySeconds = number("DelaySeconds", 0)
        maximumMessageSize = number("MaximumMessageSize", SQSWire.maxMessageBytes)
        retentionSeconds = number("MessageRetentionPeriod", SQSWire.defaultRetention)
        receiveWaitSeconds = number("ReceiveMessageWaitTimeSeconds", 0)
        visibilityTimeout = number("VisibilityTimeout", 30)
        fifo = attributes["FifoQueue"] == "true"
        contentBasedDeduplication = attributes["ContentBasedDeduplication"] == "true"
        deduplicatesPerGroup = attributes["DeduplicationScope"] == "messageGroup"
        redrive = RedrivePolicy(stored: attributes["RedrivePolicy"])
    }
}
