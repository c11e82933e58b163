import SwiftletStore

/// What one receive decided: the messages handed out, and what storage must record.
struct ReceiveOutcome: Sendable {
    var delivered: [ReceivedMessage] = []
    var changes: [QueueChange] = []
    /// Messages taken out for the dead-letter queue, already addressed to it; they join it once the move is stored.
    var moved: [MessageRecord] = []
}

extension QueueState {
    /// Takes up to `max` visible messages and hides them for `visibilityTimeout` seconds. Expired messages met on
    /// the way are deleted; messages already received `maxReceiveCount` times are moved to `deadLetterQueueId`
    /// when there is one.
    ///
    /// Standard queues hand out the oldest visible messages. FIFO queues hand out messages in order within each
    /// group, oldest group first, and skip a group while one of its messages is in flight.
    mutating func receive(
        max: Int, visibilityTimeout: Int, now: Int64, deadLetterQueueId: Int64?
    ) -> ReceiveOutcome {
        var outcome = ReceiveOutcome()
        if settings.fifo {
            receiveFIFO(max: max, visibilityTimeout: visibilityTimeout, now: now, deadLetterQueueId, &outcome)
        } else {
            receiveStandard(max: max, visibilityTimeout: visibilityTimeout, now: now, deadLetterQueueId, &outcome)
        }
        return outcome
    }

    private mutating func receiveStandard(
        max: Int, visibilityTimeout: Int, now: Int64, _ deadLetterQueueId: Int64?, _ outcome: inout ReceiveOutcome
    ) {
        promote(now: now)
        while outcome.delivered.count < max && readyHead < ready.count {
            let (id, generation) = ready[readyHead]
            readyHead += 1
            guard let message = messages[id], message.generation == generation, message.record.visibleAt <= now else {
                continue
            }
            take(message, visibilityTimeout: visibilityTimeout, now: now, deadLetterQueueId, &outcome)
        }
        if readyHead > 1024 && readyHead * 2 > ready.count {
            ready.removeFirst(readyHead)
            readyHead = 0
        }
    }

    private mutating func receiveFIFO(
        max: Int, visibilityTimeout: Int, now: Int64, _ deadLetterQueueId: Int64?, _ outcome: inout ReceiveOutcome
    ) {
        let order = groups.compactMap { group, ids in ids.first.map { (group, $0) } }.sorted { $0.1 < $1.1 }
        for (group, _) in order where outcome.delivered.count < max {
            var index = 0
            while outcome.delivered.count < max, let ids = groups[group], index < ids.count {
                guard let message = messages[ids[index]] else {
                    index += 1
                    continue
                }
                if message.isExpired(at: now, retentionSeconds: settings.retentionSeconds) {
                    remove(message.id)
                    outcome.changes.append(.deleteMessage(id: message.id))
                    continue
                }
                // In order within a group: a message in flight or still delayed holds back the rest.
                if message.record.visibleAt > now { break }
                let before = outcome.delivered.count
                take(message, visibilityTimeout: visibilityTimeout, now: now, deadLetterQueueId, &outcome)
                if outcome.delivered.count > before { index += 1 }
            }
        }
    }

    /// Delivers one visible message, or deletes it if expired, or moves it if received too often.
    private mutating func take(
        _ message: QueueMessage, visibilityTimeout: Int, now: Int64, _ deadLetterQueueId: Int64?,
        _ outcome: inout ReceiveOutcome
    ) {
        if message.isExpired(at: now, retentionSeconds: settings.retentionSeconds) {
            remove(message.id)
            outcome.changes.append(.deleteMessage(id: message.id))
            return
        }
        if let redrive = settings.redrive, let deadLetterQueueId, message.record.receiveCount >= redrive.maxReceiveCount
        {
            remove(message.id)
            var moved = message.record
            moved.queueId = deadLetterQueueId
            moved.visibleAt = now
            outcome.moved.append(moved)
            outcome.changes.append(.moveMessage(id: message.id, queueId: deadLetterQueueId, visibleAt: now))
            return
        }

        var delivered = message
        delivered.record.receiveCount += 1
        delivered.record.firstReceivedAt = delivered.record.firstReceivedAt ?? now
        delivered.record.visibleAt = now + Int64(visibilityTimeout) * 1000
        delivered.generation &+= 1
        delivered.receiptNonce = UInt64.random(in: 0...UInt64.max)
        messages[delivered.id] = delivered
        schedule(delivered)

        let receipt = ReceiptHandle(
            queueId: record.id, messageId: delivered.id, receiveCount: delivered.record.receiveCount,
            nonce: delivered.receiptNonce)
        outcome.delivered.append(
            ReceivedMessage(
                record: delivered.record, receiptHandle: receipt.encoded,
                md5OfBody: MessageDigests.body(delivered.record.body)))
        outcome.changes.append(
            .updateDelivery(
                id: delivered.id, visibleAt: delivered.record.visibleAt, receiveCount: delivered.record.receiveCount,
                firstReceivedAt: delivered.record.firstReceivedAt))
    }
}
