import Foundation

/// A queue as stored: its identity and the attributes a user set. Counts and timestamps derived from messages are
/// not stored.
public struct QueueRecord: Sendable, Equatable {
    /// The store-wide identity of the queue; a queue deleted and created again under the same name gets a new one,
    /// so that receipt handles of the old queue stop working.
    public var id: Int64
    /// The 12-digit account that owns the queue.
    public var accountId: String
    /// The region the queue lives in.
    public var region: String
    /// The queue name, `.fifo` included for FIFO queues.
    public var name: String
    /// Milliseconds since the epoch.
    public var createdAt: Int64
    /// Milliseconds since the epoch of the last change of attributes.
    public var modifiedAt: Int64
    /// Settable attributes by their AWS names (`VisibilityTimeout`, `RedrivePolicy`, ...), as strings.
    public var attributes: [String: String]
    /// Tags given at creation.
    public var tags: [String: String]

    /// A record of every field.
    public init(
        id: Int64, accountId: String, region: String, name: String, createdAt: Int64, modifiedAt: Int64,
        attributes: [String: String], tags: [String: String] = [:]
    ) {
        self.id = id
        self.accountId = accountId
        self.region = region
        self.name = name
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
        self.attributes = attributes
        self.tags = tags
    }
}

/// One message attribute as a producer set it: `String`, `Number` or `Binary`, with an optional custom suffix.
public struct MessageAttributeValue: Sendable, Equatable {
    /// `String`, `Number`, `Binary`, or one of those followed by `.` and a custom label.
    public var dataType: String
    /// The value of `String` and `Number` attributes.
    public var stringValue: String?
    /// The value of `Binary` attributes.
    public var binaryValue: Data?

    /// An attribute of `dataType` with its value.
    public init(dataType: String, stringValue: String? = nil, binaryValue: Data? = nil) {
        self.dataType = dataType
        self.stringValue = stringValue
        self.binaryValue = binaryValue
    }
}

/// A message as stored: what was sent and where its delivery stands.
public struct MessageRecord: Sendable, Equatable {
    /// The store-wide identity, increasing in send order.
    public var id: Int64
    /// The queue holding the message.
    public var queueId: Int64
    /// The `MessageId` given to the producer.
    public var messageId: String
    public var body: String
    /// Message attributes by name.
    public var attributes: [String: MessageAttributeValue]
    /// System attributes sent with the message (`AWSTraceHeader`), by name.
    public var systemAttributes: [String: MessageAttributeValue]
    /// Milliseconds since the epoch when the message was first accepted; kept when it moves to a dead-letter queue.
    public var sentAt: Int64
    public var senderId: String
    public var groupId: String?
    public var deduplicationId: String?
    /// FIFO queues' `SequenceNumber`.
    public var sequenceNumber: String?
    /// Milliseconds since the epoch from which the message may be received.
    public var visibleAt: Int64
    /// How many times it was received.
    public var receiveCount: Int
    /// Milliseconds since the epoch of the first receive.
    public var firstReceivedAt: Int64?

    /// A record of every field.
    public init(
        id: Int64, queueId: Int64, messageId: String, body: String, attributes: [String: MessageAttributeValue],
        systemAttributes: [String: MessageAttributeValue], sentAt: Int64, senderId: String, groupId: String?,
        deduplicationId: String?, sequenceNumber: String?, visibleAt: Int64, receiveCount: Int,
        firstReceivedAt: Int64?
    ) {
        self.id = id
        self.queueId = queueId
        self.messageId = messageId
        self.body = body
        self.attributes = attributes
        self.systemAttributes = systemAttributes
        self.sentAt = sentAt
        self.senderId = senderId
        self.groupId = groupId
        self.deduplicationId = deduplicationId
        self.sequenceNumber = sequenceNumber
        self.visibleAt = visibleAt
        self.receiveCount = receiveCount
        self.firstReceivedAt = firstReceivedAt
    }
}

/// A FIFO deduplication entry: a deduplication id seen within the window, and the message it accepted.
public struct DeduplicationRecord: Sendable, Equatable {
    public var queueId: Int64
    /// The deduplication id, prefixed by the group when the queue deduplicates per message group.
    public var key: String
    public var messageId: String
    public var sequenceNumber: String?
    /// Milliseconds since the epoch when the entry stops deduplicating.
    public var expiresAt: Int64

    /// An entry of every field.
    public init(queueId: Int64, key: String, messageId: String, sequenceNumber: String?, expiresAt: Int64) {
        self.queueId = queueId
        self.key = key
        self.messageId = messageId
        self.sequenceNumber = sequenceNumber
        self.expiresAt = expiresAt
    }
}

/// Everything a queue store holds, read once when a node starts.
public struct QueueSnapshot: Sendable {
    public var queues: [QueueRecord]
    /// Messages in `id` order.
    public var messages: [MessageRecord]
    /// Unexpired deduplication entries.
    public var deduplications: [DeduplicationRecord]

    /// A snapshot of the given parts.
    public init(queues: [QueueRecord], messages: [MessageRecord], deduplications: [DeduplicationRecord]) {
        self.queues = queues
        self.messages = messages
        self.deduplications = deduplications
    }
}

/// One change to queue storage; the queue service decides and the store records.
public enum QueueChange: Sendable, Equatable {
    /// Creates the queue, or replaces its attributes.
    case putQueue(QueueRecord)
    /// Removes the queue with its messages and deduplication entries.
    case deleteQueue(id: Int64)
    case insertMessage(MessageRecord)
    /// Records a receive or a visibility change.
    case updateDelivery(id: Int64, visibleAt: Int64, receiveCount: Int, firstReceivedAt: Int64?)
    case deleteMessage(id: Int64)
    /// Moves a message to another queue (a dead-letter queue), visible from `visibleAt`.
    case moveMessage(id: Int64, queueId: Int64, visibleAt: Int64)
    /// Removes every message of a queue.
    case purgeQueue(id: Int64)
    case putDeduplication(DeduplicationRecord)
    /// Forgets deduplication entries that expired before the time given.
    case expireDeduplications(before: Int64)
}

/// Durable storage of queues and messages.
///
/// The queue service holds the working state in memory and records every change here before it answers, so
/// ``submit(_:completion:)`` must call `completion` only once the changes are durable. Changes submitted
/// concurrently may be committed together (group commit), but always in submission order.
public protocol QueueStore: Sendable {
    /// Reads every queue, message and live deduplication entry.
    /// - Throws: the store's error when it cannot be read.
    func load(now: Int64) throws -> QueueSnapshot

    /// Records `changes` atomically and calls `completion` once they are durable, with the error if they are not.
    /// `completion` runs on the store's own thread and must not block.
    func submit(_ changes: [QueueChange], completion: @escaping @Sendable (Result<Void, any Error>) -> Void)

    /// Commits what was submitted and stops accepting changes.
    func close()
}
