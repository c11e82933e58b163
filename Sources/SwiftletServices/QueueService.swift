import Foundation
import SwiftletModel
import SwiftletStore
import SwiftletSystem
import Synchronization

/// The queue service of a node: SQS queues and their messages, kept in memory and recorded in a ``QueueStore``
/// before any change is acknowledged. The SQS HTTP API is one client of it; event sources and destinations inside
/// the node are others.
///
/// Operations that change state answer through a completion, called once the change is durable (on the store's
/// thread; it must not block), or through the `async` forms in `QueueService+Async.swift`. Reads answer at once.
/// Queue management is here; messages are in `QueueService+Messages.swift`.
public final class QueueService: Sendable {
    let store: any QueueStore
    let logger: Logger
    /// Milliseconds since the epoch; replaced in tests.
    let clock: @Sendable () -> Int64

    /// Live queues by `account/region/name`. Lock order: may be held while taking a queue's `descriptor` or
    /// submitting to the store, never while taking a queue's `inner`.
    let registry = Mutex<[String: ManagedQueue]>([:])
    /// The next store identity of a queue and of a message.
    let nextQueueId: Atomic<Int64>
    let nextMessageId: Atomic<Int64>
    /// Tokens of long-poll waiters.
    let nextWaiterToken = Atomic<UInt64>(1)

    /// The wall clock in milliseconds since the epoch.
    public static let systemClock: @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// Loads every queue and message from `store`.
    /// - Throws: the store's error when it cannot be read.
    public init(
        store: any QueueStore, logger: Logger, clock: @escaping @Sendable () -> Int64 = QueueService.systemClock
    ) throws {
        self.store = store
        self.logger = logger
        self.clock = clock
        let now = clock()
        let snapshot = try store.load(now: now)

        var queues: [Int64: ManagedQueue] = [:]
        var byKey: [String: ManagedQueue] = [:]
        for record in snapshot.queues {
            let queue = ManagedQueue(record: record)
            queues[record.id] = queue
            byKey[Self.key(record.accountId, record.region, record.name)] = queue
        }
        for message in snapshot.messages {
            queues[message.queueId]?.inner.withLock { $0.state.insert(message, now: now) }
        }
        for entry in snapshot.deduplications {
            queues[entry.queueId]?.inner.withLock { inner in
                inner.state.deduplications[entry.key] = entry
                if let sequence = entry.sequenceNumber.flatMap({ Int64($0) }) {
                    inner.state.lastSequence = max(inner.state.lastSequence, sequence)
                }
            }
        }
        registry.withLock { $0 = byKey }
        nextQueueId = Atomic((snapshot.queues.map(\.id).max() ?? 0) + 1)
        nextMessageId = Atomic((snapshot.messages.map(\.id).max() ?? 0) + 1)
        store.submit([.expireDeduplications(before: now)]) { _ in }
        logger.info(
            "queues loaded",
            [("sqs.queues", "\(snapshot.queues.count)"), ("sqs.messages", "\(snapshot.messages.count)")])
    }

    /// Records what is pending and stops the store.
    public func close() {
        store.close()
    }

    static func key(_ accountId: String, _ region: String, _ name: String) -> String {
        "\(accountId)/\(region)/\(name)"
    }

    // MARK: - Finding queues

    /// The queue `name` of an account in a region.
    /// - Throws: `QueueDoesNotExist`.
    public func queue(named name: String, accountId: String, region: String) throws(AWSError) -> ManagedQueue {
        guard let queue = registry.withLock({ $0[Self.key(accountId, region, name)] }) else {
            throw .queueDoesNotExist
        }
        return queue
    }

    /// The queue of an ARN, `arn:aws:sqs:<region>:<account>:<name>`.
    /// - Throws: `QueueDoesNotExist`.
    public func queue(arn: String) throws(AWSError) -> ManagedQueue {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        // The node's own queues are not reachable by ARN: a client could otherwise redrive into them.
        guard parts.count == 6, parts[0] == "arn", parts[2] == "sqs", parts[4] != Self.systemAccount else {
            throw .queueDoesNotExist
        }
        return try queue(named: parts[5], accountId: parts[4], region: parts[3])
    }

    /// The queue of a URL, `<endpoint>/<account>/<name>`: the host is not checked, since a node is reached under
    /// several names.
    /// - Throws: `QueueDoesNotExist`.
    public func queue(url: String, region: String) throws(AWSError) -> ManagedQueue {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[parts.count - 2] != Self.systemAccount else { throw .queueDoesNotExist }
        return try queue(named: parts[parts.count - 1], accountId: parts[parts.count - 2], region: region)
    }

    /// Names of an account's queues in a region starting with `prefix`, sorted.
    public func queueNames(accountId: String, region: String, prefix: String = "") -> [String] {
        let start = Self.key(accountId, region, prefix)
        return registry.withLock { queues in queues.keys.filter { $0.hasPrefix(start) } }
            .map { String($0.dropFirst(Self.key(accountId, region, "").count)) }.sorted()
    }

    /// Whether the queue of an ARN is FIFO, or nil when it does not exist; used to check redrive policies.
    func deadLetterTarget(_ arn: String) -> Bool? {
        (try? queue(arn: arn))?.isFIFO
    }

    // MARK: - Storage

    /// Submits `changes` (nothing when empty) and logs a failure; `completion` gets the result.
    func persist(
        _ changes: [QueueChange], completion: @escaping @Sendable (Result<Void, AWSError>) -> Void
    ) {
        guard !changes.isEmpty else {
            completion(.success(()))
            return
        }
        let logger = self.logger
        store.submit(changes) { result in
            switch result {
            case .success: completion(.success(()))
            case .failure(let error):
                logger.error("queue store failed", [("error", "\(error)")])
                completion(.failure(.sqsServiceUnavailable))
            }
        }
    }
}
