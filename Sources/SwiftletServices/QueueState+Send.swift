import SwiftletStore
import SwiftletSystem

/// What sending one message decided.
enum PreparedSend: Sendable {
    /// A FIFO send whose deduplication id was seen within five minutes: accepted, and not delivered again.
    case duplicate(SentMessage)
    /// A new message: it joins the queue once `changes` are stored.
    case accepted(MessageRecord, changes: [QueueChange], SentMessage)
}

extension QueueState {
    /// Builds the stored form of a checked message: its delay, and for FIFO queues its deduplication and sequence
    /// number. The message is not in the queue until ``insert(_:now:)`` adds it after storage.
    mutating func prepareSend(
        _ message: OutgoingMessage, id: Int64, messageId: String, senderId: String, now: Int64
    ) -> PreparedSend {
        var changes: [QueueChange] = []
        var deduplicationId = message.deduplicationId
        var sequenceNumber: String?
        let digests = (
            body: MessageDigests.body(message.body), attributes: MessageDigests.attributes(message.attributes),
            system: MessageDigests.attributes(message.systemAttributes)
        )

        if settings.fifo {
            let resolvedId = deduplicationId ?? Digest.sha256(Array(message.body.utf8)).hexString
            deduplicationId = resolvedId
            let key = settings.deduplicatesPerGroup ? "\(message.groupId ?? "")/\(resolvedId)" : resolvedId
            dropExpiredDeduplications(now: now)
            if let seen = deduplications[key], seen.expiresAt > now {
                return .duplicate(
                    SentMessage(
                        messageId: seen.messageId, md5OfBody: digests.body, md5OfAttributes: digests.attributes,
                        md5OfSystemAttributes: digests.system, sequenceNumber: seen.sequenceNumber))
            }
            lastSequence = max(lastSequence + 1, now * 1000)
            let sequence = String(lastSequence)
            sequenceNumber = String(repeating: "0", count: max(0, 20 - sequence.count)) + sequence
            let entry = DeduplicationRecord(
                queueId: record.id, key: key, messageId: messageId, sequenceNumber: sequenceNumber,
                expiresAt: now + SQSWire.deduplicationWindowMilliseconds)
            deduplications[key] = entry
            changes.append(.putDeduplication(entry))
        }

        let delay = settings.fifo ? settings.delaySeconds : (message.delaySeconds ?? settings.delaySeconds)
        let stored = MessageRecord(
            id: id, queueId: record.id, messageId: messageId, body: message.body, attributes: message.attributes,
            systemAttributes: message.systemAttributes, sentAt: now, senderId: senderId, groupId: message.groupId,
            deduplicationId: deduplicationId, sequenceNumber: sequenceNumber, visibleAt: now + Int64(delay) * 1000,
            receiveCount: 0, firstReceivedAt: nil)
        changes.insert(.insertMessage(stored), at: 0)
        return .accepted(
            stored, changes: changes,
            SentMessage(
                messageId: messageId, md5OfBody: digests.body, md5OfAttributes: digests.attributes,
                md5OfSystemAttributes: digests.system, sequenceNumber: sequenceNumber))
    }

    /// Forgets deduplication entries past their window, at most once a minute.
    mutating func dropExpiredDeduplications(now: Int64) {
        guard now - lastDeduplicationSweep >= 60_000 else { return }
        lastDeduplicationSweep = now
        deduplications = deduplications.filter { $0.value.expiresAt > now }
    }
}
