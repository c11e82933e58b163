import SwiftletModel
import SwiftletStore

/// One queue's messages in memory and the rules of their delivery, without locks, clocks or storage: every method
/// takes the time and returns the storage changes it decided, so that the caller records them and tests can drive
/// time. Receiving is in `QueueState+Receive.swift`, sending in `QueueState+Send.swift`.
///
/// A message's states: **delayed** (never received, `visibleAt` ahead) → **visible** → **in flight** (received,
/// `visibleAt` ahead) → visible again when its visibility timeout passes, or **deleted** by a consumer, **expired**
/// when its retention period passes, or **moved** to the dead-letter queue when a receive would exceed the redrive
/// policy's `maxReceiveCount`.
// Limitation: every message of every queue is held in memory as well as on disk, so a node's memory grows with the
// messages waiting in its queues (bodies up to 256 KiB each).
struct QueueState: Sendable {
    /// The queue as stored.
    var record: QueueRecord
    /// Its delivery settings, derived from `record.attributes`.
    var settings: QueueSettings
    /// Every committed message by store id.
    var messages: [Int64: QueueMessage] = [:]
    /// Standard queues: messages believed visible, oldest first, as `(id, generation)`; consumed from `readyHead`.
    var ready: [(id: Int64, generation: UInt64)] = []
    var readyHead = 0
    /// Moments when hidden messages become visible.
    var hidden = VisibilityHeap()
    /// FIFO queues: message ids of each group in order.
    var groups: [String: [Int64]] = [:]
    /// FIFO queues: deduplication entries by key.
    var deduplications: [String: DeduplicationRecord] = [:]
    /// FIFO queues: the last sequence number given.
    var lastSequence: Int64 = 0
    /// Milliseconds since the epoch of the last PurgeQueue.
    var lastPurge: Int64?
    /// Milliseconds since the epoch when expired deduplication entries were last dropped.
    var lastDeduplicationSweep: Int64 = 0

    init(record: QueueRecord) {
        self.record = record
        self.settings = QueueSettings(attributes: record.attributes)
    }

    /// Replaces the stored record (after SetQueueAttributes) and its settings.
    mutating func update(_ record: QueueRecord) {
        self.record = record
        self.settings = QueueSettings(attributes: record.attributes)
    }

    /// Adds a committed message to the queue's indexes.
    mutating func insert(_ record: MessageRecord, now: Int64) {
        let message = QueueMessage(record: record)
        messages[record.id] = message
        if settings.fifo {
            groups[record.groupId ?? "", default: []].append(record.id)
            if record.visibleAt > now { schedule(message) }
        } else if record.visibleAt > now {
            schedule(message)
        } else {
            ready.append((record.id, message.generation))
        }
        if let sequence = record.sequenceNumber.flatMap({ Int64($0) }) { lastSequence = max(lastSequence, sequence) }
    }

    /// Removes a message from every index; nil when it is not in the queue.
    @discardableResult
    mutating func remove(_ id: Int64) -> QueueMessage? {
        guard let message = messages.removeValue(forKey: id) else { return nil }
        let group = message.record.groupId ?? ""
        if settings.fifo, var ids = groups[group] {
            ids.removeAll { $0 == id }
            groups[group] = ids.isEmpty ? nil : ids
        }
        return message
    }

    /// Deletes the message a receipt handle names. A handle of a message already gone deletes nothing and is not
    /// an error, as in SQS.
    /// - Throws: `ReceiptHandleIsInvalid` when the handle is not one of this queue's.
    mutating func delete(_ handle: String) throws(AWSError) -> QueueChange? {
        guard let receipt = ReceiptHandle(handle), receipt.queueId == record.id else {
            throw .receiptHandleIsInvalid(handle)
        }
        guard remove(receipt.messageId) != nil else { return nil }
        return .deleteMessage(id: receipt.messageId)
    }

    /// Hides or reveals an in-flight message: visible again `seconds` from `now`.
    /// - Throws: `ReceiptHandleIsInvalid` for a handle of another queue, `MessageNotInflight` when the message is
    ///   gone or not held by a consumer.
    mutating func changeVisibility(_ handle: String, seconds: Int, now: Int64) throws(AWSError) -> QueueChange {
        guard let receipt = ReceiptHandle(handle), receipt.queueId == record.id else {
            throw .receiptHandleIsInvalid(handle)
        }
        guard var message = messages[receipt.messageId], message.isInFlight(at: now) else {
            throw .messageNotInflight
        }
        message.record.visibleAt = now + Int64(seconds) * 1000
        message.generation &+= 1
        messages[message.id] = message
        if seconds == 0 && !settings.fifo {
            ready.append((message.id, message.generation))
        } else {
            schedule(message)
        }
        return .updateDelivery(
            id: message.id, visibleAt: message.record.visibleAt, receiveCount: message.record.receiveCount,
            firstReceivedAt: message.record.firstReceivedAt)
    }

    /// Removes every message.
    /// - Throws: `PurgeQueueInProgress` within 60 seconds of the last purge.
    mutating func purge(now: Int64) throws(AWSError) -> QueueChange {
        if let lastPurge, now - lastPurge < SQSWire.purgeIntervalMilliseconds {
            throw .purgeQueueInProgress(record.name)
        }
        lastPurge = now
        messages.removeAll()
        ready.removeAll()
        readyHead = 0
        hidden.removeAll()
        groups.removeAll()
        return .purgeQueue(id: record.id)
    }

    /// The approximate counts GetQueueAttributes reports, after dropping expired messages (whose deletions are
    /// returned for storage).
    mutating func counts(now: Int64) -> (visible: Int, inFlight: Int, delayed: Int, changes: [QueueChange]) {
        var visible = 0
        var inFlight = 0
        var delayed = 0
        var changes: [QueueChange] = []
        for message in Array(messages.values) {
            if message.isExpired(at: now, retentionSeconds: settings.retentionSeconds) {
                remove(message.id)
                changes.append(.deleteMessage(id: message.id))
            } else if message.isInFlight(at: now) {
                inFlight += 1
            } else if message.isDelayed(at: now) {
                delayed += 1
            } else {
                visible += 1
            }
        }
        return (visible, inFlight, delayed, changes)
    }

    /// The earliest moment after `now` when a hidden message may become visible, if any.
    mutating func nextWake(after now: Int64) -> Int64? {
        promote(now: now)
        while let top = hidden.top {
            if let message = messages[top.id], message.generation == top.generation { return top.visibleAt }
            hidden.pop()
        }
        return nil
    }

    /// Schedules the moment a hidden message becomes visible.
    mutating func schedule(_ message: QueueMessage) {
        hidden.push(.init(visibleAt: message.record.visibleAt, id: message.id, generation: message.generation))
    }

    /// Standard queues: moves messages whose moment has come from `hidden` to `ready`. FIFO queues drop those
    /// entries, their groups being scanned in order instead.
    mutating func promote(now: Int64) {
        while let top = hidden.top, top.visibleAt <= now {
            hidden.pop()
            guard !settings.fifo, let message = messages[top.id], message.generation == top.generation else {
                continue
            }
            ready.append((top.id, top.generation))
        }
    }
}
