import SwiftletModel
import SwiftletStore
import Synchronization

/// One live queue of a ``QueueService``: its identity, its messages behind a lock, and the receives waiting for
/// messages (long polls). Obtained from the service by name, URL or ARN.
public final class ManagedQueue: Sendable {
    /// The store identity; it changes when a queue is deleted and created again.
    public let id: Int64
    public let accountId: String
    public let region: String
    public let name: String
    /// `arn:aws:sqs:<region>:<account>:<name>`.
    public let arn: String
    /// True for FIFO queues.
    public let isFIFO: Bool

    /// A receive waiting for messages.
    struct Waiter: Sendable {
        let token: UInt64
        let maxMessages: Int
        let visibilityTimeout: Int?
        /// Milliseconds since the epoch when it gives up and is answered with no messages.
        let deadline: Int64
        let completion: @Sendable (Result<[ReceivedMessage], AWSError>) -> Void
    }

    /// The lock's contents. Lock order: this lock may be held while submitting to the store, never while taking
    /// the service's registry lock or another queue's lock.
    struct Inner: Sendable {
        var state: QueueState
        var waiters: [Waiter] = []
        var deleted = false
        /// The moment a wake-up is already scheduled for, so that long polls do not schedule one each.
        var scheduledWake: Int64?
    }

    let inner: Mutex<Inner>
    /// A copy of the stored record for readers that must not take `inner` (the registry, under its own lock).
    let descriptor: Mutex<QueueRecord>

    init(record: QueueRecord) {
        id = record.id
        accountId = record.accountId
        region = record.region
        name = record.name
        arn = SQSWire.queueARN(region: record.region, accountId: record.accountId, name: record.name)
        isFIFO = record.attributes["FifoQueue"] == "true"
        inner = Mutex(Inner(state: QueueState(record: record)))
        descriptor = Mutex(record)
    }

    /// The queue's stored record: attributes a user set, creation and modification times.
    public var record: QueueRecord { descriptor.withLock { $0 } }

    /// The delivery settings now in force.
    public var settings: QueueSettings { QueueSettings(attributes: record.attributes) }

    /// The queue's URL on a node reached at `endpoint` (`http://host:port`).
    public func url(endpoint: String) -> String {
        "\(endpoint)/\(accountId)/\(name)"
    }
}
