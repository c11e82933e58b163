import Foundation
import SwiftletStore

/// A message a producer hands to ``QueueService/send(_:to:completion:)``.
public struct OutgoingMessage: Sendable {
    public var body: String
    /// Message attributes by name.
    public var attributes: [String: MessageAttributeValue]
    /// System attributes by name (`AWSTraceHeader`).
    public var systemAttributes: [String: MessageAttributeValue]
    /// Seconds the message stays hidden; nil takes the queue's `DelaySeconds`. Standard queues only.
    public var delaySeconds: Int?
    /// FIFO queues: the group whose order the message keeps (required there).
    public var groupId: String?
    /// FIFO queues: the id that deduplicates sends within five minutes.
    public var deduplicationId: String?

    /// A message with `body` and the given options.
    public init(
        body: String, attributes: [String: MessageAttributeValue] = [:],
        systemAttributes: [String: MessageAttributeValue] = [:], delaySeconds: Int? = nil, groupId: String? = nil,
        deduplicationId: String? = nil
    ) {
        self.body = body
        self.attributes = attributes
        self.systemAttributes = systemAttributes
        self.delaySeconds = delaySeconds
        self.groupId = groupId
        self.deduplicationId = deduplicationId
    }
}

/// What a producer is told about an accepted message.
public struct SentMessage: Sendable, Equatable {
    public var messageId: String
    public var md5OfBody: String
    public var md5OfAttributes: String?
    public var md5OfSystemAttributes: String?
    /// FIFO queues only.
    public var sequenceNumber: String?
}

/// A message handed to a consumer, with the receipt handle that deletes it or changes its visibility.
public struct ReceivedMessage: Sendable {
    /// The message as stored, its receive count and first-receive time already counting this receive.
    public var record: MessageRecord
    /// The handle for DeleteMessage and ChangeMessageVisibility.
    public var receiptHandle: String
    /// MD5 of the body.
    public var md5OfBody: String
}

/// A message in a queue's memory: the stored record and what delivery needs beside it.
struct QueueMessage: Sendable {
    var record: MessageRecord
    /// Changes at each receive and visibility change, so that stale index entries are recognised and skipped.
    var generation: UInt64 = 0
    /// The random part of the current receipt handle.
    var receiptNonce: UInt64 = 0

    var id: Int64 { record.id }

    /// True while a consumer holds the message: received and not yet visible again.
    func isInFlight(at now: Int64) -> Bool {
        record.receiveCount > 0 && record.visibleAt > now
    }

    /// True while the message waits out a delay before its first receive.
    func isDelayed(at now: Int64) -> Bool {
        record.receiveCount == 0 && record.visibleAt > now
    }

    /// True once the retention period since the first send has passed.
    func isExpired(at now: Int64, retentionSeconds: Int) -> Bool {
        record.sentAt + Int64(retentionSeconds) * 1000 <= now
    }
}
