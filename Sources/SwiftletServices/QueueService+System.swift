import SwiftletModel
import SwiftletStore

extension QueueService {
    /// The account of the node's own queues. It is not twelve digits, so no request through the SQS API can name
    /// it: these queues are invisible to clients.
    public static let systemAccount = "swiftlet"

    /// Finds or creates one of the node's own queues, with `attributes` taken as given: unlike CreateQueue's they
    /// are not held to SQS's ranges, so a system queue may carry messages larger than SQS allows.
    public func systemQueue(name: String, attributes: [String: String]) async throws(AWSError) -> ManagedQueue {
        let now = clock()
        let created = registry.withLock { queues -> (ManagedQueue, Bool) in
            let key = Self.key(Self.systemAccount, "local", name)
            if let existing = queues[key] { return (existing, false) }
            let record = QueueRecord(
                id: nextQueueId.add(1, ordering: .relaxed).oldValue, accountId: Self.systemAccount, region: "local",
                name: name, createdAt: now, modifiedAt: now,
                attributes: QueueAttributes.defaults(fifo: false).merging(attributes) { _, given in given }, tags: [:])
            let queue = ManagedQueue(record: record)
            queues[key] = queue
            return (queue, true)
        }
        guard created.1 else { return created.0 }
        let stored = await withCheckedContinuation { continuation in
            persist([.putQueue(created.0.record)]) { continuation.resume(returning: $0) }
        }
        if case .failure(let error) = stored {
            _ = registry.withLock { $0.removeValue(forKey: Self.key(Self.systemAccount, "local", name)) }
            throw error
        }
        return created.0
    }

    /// Makes every in-flight message of `queue` visible now and returns how many there were. For a queue whose only
    /// consumer is this node, at start: what was in flight when the node stopped was abandoned with it.
    @discardableResult
    public func revealInFlight(of queue: ManagedQueue) async throws(AWSError) -> Int {
        let now = clock()
        let changes = queue.inner.withLock { inner -> [QueueChange] in
            inner.state.revealInFlight(now: now)
        }
        guard !changes.isEmpty else { return 0 }
        let stored = await withCheckedContinuation { continuation in
            persist(changes) { continuation.resume(returning: $0) }
        }
        if case .failure(let error) = stored { throw error }
        scheduleWake(of: queue)
        serveWaiters(of: queue)
        return changes.count
    }
}

extension QueueState {
    /// Makes every in-flight message visible at `now`; returns the storage changes.
    mutating func revealInFlight(now: Int64) -> [QueueChange] {
        var changes: [QueueChange] = []
        for var message in Array(messages.values) where message.isInFlight(at: now) {
            message.record.visibleAt = now
            message.generation &+= 1
            messages[message.id] = message
            if settings.fifo { schedule(message) } else { ready.append((message.id, message.generation)) }
            changes.append(
                .updateDelivery(
                    id: message.id, visibleAt: now, receiveCount: message.record.receiveCount,
                    firstReceivedAt: message.record.firstReceivedAt))
        }
        return changes
    }
}
