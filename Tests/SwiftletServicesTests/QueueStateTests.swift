import Foundation
import SwiftletModel
import SwiftletStore
import Testing

@testable import SwiftletServices

@Suite("QueueState")
struct QueueStateTests {
    static let start: Int64 = 1_767_225_600_000

    static func state(_ name: String = "q", id: Int64 = 1, _ attributes: [String: String] = [:]) -> QueueState {
        let fifo = attributes["FifoQueue"] == "true"
        let merged = QueueAttributes.defaults(fifo: fifo).merging(attributes) { _, given in given }
        return QueueState(
            record: QueueRecord(
                id: id, accountId: "000000000000", region: "us-east-1", name: name, createdAt: start,
                modifiedAt: start, attributes: merged))
    }

    /// Sends and commits one message at `now`; returns what the producer is told.
    @discardableResult
    static func send(
        _ state: inout QueueState, _ body: String, id: Int64, now: Int64 = start, group: String? = nil,
        dedup: String? = nil, delay: Int? = nil
    ) -> SentMessage {
        let message = OutgoingMessage(body: body, delaySeconds: delay, groupId: group, deduplicationId: dedup)
        switch state.prepareSend(message, id: id, messageId: "m\(id)", senderId: "S", now: now) {
        case .duplicate(let sent): return sent
        case .accepted(let record, _, let sent):
            state.insert(record, now: now)
            return sent
        }
    }

    static func bodies(_ outcome: ReceiveOutcome) -> [String] { outcome.delivered.map(\.record.body) }

    @Test func aReceivedMessageStaysHiddenUntilItsVisibilityTimeoutPasses() {
        var state = Self.state()
        Self.send(&state, "a", id: 1)
        let first = state.receive(max: 10, visibilityTimeout: 5, now: Self.start, deadLetterQueueId: nil)
        #expect(Self.bodies(first) == ["a"])
        #expect(first.delivered[0].record.receiveCount == 1)

        #expect(
            state.receive(max: 10, visibilityTimeout: 5, now: Self.start + 4_999, deadLetterQueueId: nil)
                .delivered.isEmpty)
        let again = state.receive(max: 10, visibilityTimeout: 5, now: Self.start + 5_000, deadLetterQueueId: nil)
        #expect(Self.bodies(again) == ["a"])
        #expect(again.delivered[0].record.receiveCount == 2)
        #expect(again.delivered[0].record.firstReceivedAt == Self.start)
        #expect(again.delivered[0].receiptHandle != first.delivered[0].receiptHandle)
    }

    @Test func aDelayedMessageIsCountedAsDelayedAndReceivedAfterItsDelay() {
        var state = Self.state()
        Self.send(&state, "later", id: 1, delay: 10)
        #expect(state.counts(now: Self.start).delayed == 1)
        #expect(
            state.receive(max: 1, visibilityTimeout: 30, now: Self.start + 9_999, deadLetterQueueId: nil)
                .delivered.isEmpty)
        #expect(state.nextWake(after: Self.start) == Self.start + 10_000)
        #expect(
            Self.bodies(state.receive(max: 1, visibilityTimeout: 30, now: Self.start + 10_000, deadLetterQueueId: nil))
                == ["later"])
        let counts = state.counts(now: Self.start + 10_000)
        #expect(counts.inFlight == 1 && counts.visible == 0 && counts.delayed == 0)
    }

    @Test func deletingByReceiptRemovesTheMessageAndAForeignHandleIsInvalid() throws {
        var state = Self.state()
        Self.send(&state, "a", id: 1)
        let handle = state.receive(max: 1, visibilityTimeout: 0, now: Self.start, deadLetterQueueId: nil)
            .delivered[0].receiptHandle
        #expect(try state.delete(handle) == .deleteMessage(id: 1))
        #expect(try state.delete(handle) == nil, "deleting twice is not an error")
        var other = Self.state("other", id: 2)
        #expect(throws: AWSError.receiptHandleIsInvalid(handle)) { try other.delete(handle) }
        #expect(throws: AWSError.receiptHandleIsInvalid("garbage")) { try state.delete("garbage") }
    }

    @Test func changingVisibilityToZeroRevealsAndOfAMessageNotInFlightFails() throws {
        var state = Self.state()
        Self.send(&state, "a", id: 1)
        let handle = state.receive(max: 1, visibilityTimeout: 60, now: Self.start, deadLetterQueueId: nil)
            .delivered[0].receiptHandle
        _ = try state.changeVisibility(handle, seconds: 0, now: Self.start + 1)
        #expect(
            Self.bodies(state.receive(max: 1, visibilityTimeout: 60, now: Self.start + 1, deadLetterQueueId: nil)) == [
                "a"
            ])
        _ = try state.changeVisibility(handle, seconds: 0, now: Self.start + 2)
        #expect(throws: AWSError.messageNotInflight) {
            try state.changeVisibility(handle, seconds: 5, now: Self.start + 2)
        }
    }

    @Test func aMessageReceivedMaxReceiveCountTimesMovesToTheDeadLetterQueueOnTheNextReceive() {
        let policy = #"{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":2}"#
        var state = Self.state("q", ["RedrivePolicy": policy])
        Self.send(&state, "poison", id: 1)
        var now = Self.start
        for count in 1...2 {
            let outcome = state.receive(max: 1, visibilityTimeout: 0, now: now, deadLetterQueueId: 9)
            #expect(outcome.delivered.first?.record.receiveCount == count)
            now += 1
        }
        let third = state.receive(max: 1, visibilityTimeout: 0, now: now, deadLetterQueueId: 9)
        #expect(third.delivered.isEmpty)
        #expect(third.moved.map(\.queueId) == [9])
        #expect(third.changes == [.moveMessage(id: 1, queueId: 9, visibleAt: now)])
        #expect(state.messages.isEmpty)
    }

    @Test func expiredMessagesAreDeletedInsteadOfDelivered() {
        var state = Self.state("q", ["MessageRetentionPeriod": "60"])
        Self.send(&state, "old", id: 1)
        let outcome = state.receive(max: 1, visibilityTimeout: 30, now: Self.start + 60_000, deadLetterQueueId: nil)
        #expect(outcome.delivered.isEmpty)
        #expect(outcome.changes == [.deleteMessage(id: 1)])
    }

    @Test func fifoDeliversInOrderWithinAGroupAndBlocksTheGroupWhileAMessageIsInFlight() {
        var state = Self.state("f.fifo", ["FifoQueue": "true"])
        for (index, (group, body)) in [("a", "a1"), ("b", "b1"), ("a", "a2"), ("a", "a3")].enumerated() {
            Self.send(&state, body, id: Int64(index + 1), group: group, dedup: body)
        }
        let first = state.receive(max: 2, visibilityTimeout: 30, now: Self.start, deadLetterQueueId: nil)
        #expect(Self.bodies(first) == ["a1", "a2"])
        let second = state.receive(max: 10, visibilityTimeout: 30, now: Self.start, deadLetterQueueId: nil)
        #expect(Self.bodies(second) == ["b1"], "group a is blocked while a1 and a2 are in flight")

        _ = try? state.delete(first.delivered[0].receiptHandle)
        _ = try? state.delete(first.delivered[1].receiptHandle)
        #expect(
            Self.bodies(state.receive(max: 10, visibilityTimeout: 30, now: Self.start, deadLetterQueueId: nil)) == [
                "a3"
            ])
    }

    @Test func fifoRedeliversTheSameMessageFirstAfterItsVisibilityExpires() {
        var state = Self.state("f.fifo", ["FifoQueue": "true"])
        Self.send(&state, "1", id: 1, group: "g", dedup: "1")
        Self.send(&state, "2", id: 2, group: "g", dedup: "2")
        _ = state.receive(max: 1, visibilityTimeout: 5, now: Self.start, deadLetterQueueId: nil)
        #expect(
            state.receive(max: 1, visibilityTimeout: 5, now: Self.start + 1, deadLetterQueueId: nil).delivered.isEmpty)
        #expect(
            Self.bodies(state.receive(max: 10, visibilityTimeout: 5, now: Self.start + 5_000, deadLetterQueueId: nil))
                == ["1", "2"])
    }

    @Test func fifoDeduplicatesWithinFiveMinutesAndGivesIncreasingSequenceNumbers() {
        var state = Self.state("f.fifo", ["FifoQueue": "true"])
        let first = Self.send(&state, "x", id: 1, group: "g", dedup: "d")
        let repeated = Self.send(&state, "x", id: 2, now: Self.start + 299_999, group: "g", dedup: "d")
        #expect(repeated.messageId == first.messageId)
        #expect(repeated.sequenceNumber == first.sequenceNumber)
        #expect(state.messages.count == 1)

        let later = Self.send(&state, "x", id: 3, now: Self.start + 300_000, group: "g", dedup: "d")
        #expect(later.messageId == "m3")
        #expect(later.sequenceNumber! > first.sequenceNumber!)
        #expect(later.sequenceNumber!.count == 20)
    }

    @Test func contentBasedDeduplicationUsesTheBodyHashAndPerGroupScopeSeparatesGroups() {
        var state = Self.state(
            "f.fifo", ["FifoQueue": "true", "ContentBasedDeduplication": "true", "DeduplicationScope": "messageGroup"])
        let a = Self.send(&state, "same", id: 1, group: "a")
        let b = Self.send(&state, "same", id: 2, group: "b")
        let again = Self.send(&state, "same", id: 3, group: "a")
        #expect(a.messageId != b.messageId)
        #expect(again.messageId == a.messageId)
        #expect(state.messages[1]?.record.deduplicationId?.count == 64)
    }

    @Test func purgeRemovesEverythingAndASecondPurgeWithinAMinuteFails() throws {
        var state = Self.state()
        Self.send(&state, "a", id: 1)
        #expect(try state.purge(now: Self.start) == .purgeQueue(id: 1))
        #expect(state.messages.isEmpty)
        #expect(throws: AWSError.purgeQueueInProgress("q")) { try state.purge(now: Self.start + 59_999) }
        _ = try state.purge(now: Self.start + 60_000)
    }
}
