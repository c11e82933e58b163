import Foundation
import Synchronization
import Testing

@testable import SwiftletStore

@Suite("SQLite QueueStore")
struct QueueStoreTests {
    static let queue = QueueRecord(
        id: 7, accountId: "123456789012", region: "us-east-1", name: "jobs", createdAt: 1000, modifiedAt: 1000,
        attributes: ["VisibilityTimeout": "30"], tags: ["team": "a"])

    static func message(_ id: Int64, queueId: Int64 = 7, body: String = "hello") -> MessageRecord {
        MessageRecord(
            id: id, queueId: queueId, messageId: "m-\(id)", body: body,
            attributes: [
                "color": MessageAttributeValue(dataType: "String", stringValue: "red"),
                "blob": MessageAttributeValue(dataType: "Binary", binaryValue: Data([0, 1, 2])),
            ],
            systemAttributes: [:], sentAt: 2000, senderId: "AKID", groupId: nil, deduplicationId: nil,
            sequenceNumber: nil, visibleAt: 2000, receiveCount: 0, firstReceivedAt: nil)
    }

    /// Submits and waits for the commit, returning its result.
    static func submit(_ store: SQLiteQueueStore, _ changes: [QueueChange]) -> Result<Void, any Error> {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        store.submit(changes) { result in
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return outcome.withLock { $0! }
    }

    @Test func changesSurviveReopening() throws {
        try withTemporaryDirectory { folder in
            let path = folder + "/queues.db"
            do {
                let store = try SQLiteQueueStore(path: path)
                defer { store.close() }
                _ = try Self.submit(store, [.putQueue(Self.queue), .insertMessage(Self.message(1))]).get()
                _ = try Self.submit(store, [.insertMessage(Self.message(2))]).get()
                _ = try Self.submit(
                    store, [.updateDelivery(id: 1, visibleAt: 9000, receiveCount: 2, firstReceivedAt: 3000)]
                ).get()
                _ = try Self.submit(store, [.deleteMessage(id: 2)]).get()
            }

            let reopened = try SQLiteQueueStore(path: path)
            defer { reopened.close() }
            let snapshot = try reopened.load(now: 0)
            #expect(snapshot.queues == [Self.queue])
            var expected = Self.message(1)
            expected.visibleAt = 9000
            expected.receiveCount = 2
            expected.firstReceivedAt = 3000
            #expect(snapshot.messages == [expected])
        }
    }

    @Test func deletingAQueueRemovesItsMessagesAndDeduplications() throws {
        try withTemporaryDirectory { folder in
            let store = try SQLiteQueueStore(path: folder + "/queues.db")
            defer { store.close() }
            let entry = DeduplicationRecord(queueId: 7, key: "d", messageId: "m-1", sequenceNumber: "1", expiresAt: 10)
            _ = try Self.submit(
                store, [.putQueue(Self.queue), .insertMessage(Self.message(1)), .putDeduplication(entry)]
            ).get()
            #expect(try store.load(now: 0).deduplications == [entry])
            #expect(try store.load(now: 10).deduplications.isEmpty, "an expired entry is not loaded")

            _ = try Self.submit(store, [.deleteQueue(id: 7)]).get()
            let snapshot = try store.load(now: 0)
            #expect(snapshot.queues.isEmpty)
            #expect(snapshot.messages.isEmpty)
            #expect(snapshot.deduplications.isEmpty)
        }
    }

    @Test func movingAndPurgingChangeWhichQueueHoldsMessages() throws {
        try withTemporaryDirectory { folder in
            let store = try SQLiteQueueStore(path: folder + "/queues.db")
            defer { store.close() }
            _ = try Self.submit(store, [.insertMessage(Self.message(1)), .insertMessage(Self.message(2))]).get()
            _ = try Self.submit(store, [.moveMessage(id: 1, queueId: 8, visibleAt: 5)]).get()
            _ = try Self.submit(store, [.purgeQueue(id: 7)]).get()
            let messages = try store.load(now: 0).messages
            #expect(messages.map(\.id) == [1])
            #expect(messages.first?.queueId == 8)
            #expect(messages.first?.visibleAt == 5)
        }
    }

    @Test func aFailingSubmissionIsRolledBackAloneWhileConcurrentOnesCommit() throws {
        try withTemporaryDirectory { folder in
            let store = try SQLiteQueueStore(path: folder + "/queues.db")
            defer { store.close() }
            _ = try Self.submit(store, [.insertMessage(Self.message(1))]).get()

            let group = DispatchGroup()
            let failures = Mutex<[Int64]>([])
            for id in Int64(2)...Int64(201) {
                group.enter()
                // Every tenth submission repeats message 1's id after a valid insert, so its whole submission fails.
                let changes: [QueueChange] =
                    id % 10 == 0
                    ? [.insertMessage(Self.message(id)), .insertMessage(Self.message(1))]
                    : [.insertMessage(Self.message(id))]
                store.submit(changes) { result in
                    if case .failure = result { failures.withLock { $0.append(id) } }
                    group.leave()
                }
            }
            group.wait()

            #expect(failures.withLock { $0.sorted() } == Array(stride(from: Int64(10), through: 200, by: 10)))
            let stored = Set(try store.load(now: 0).messages.map(\.id))
            #expect(stored.count == 1 + 180)
            #expect(!stored.contains(10))
        }
    }

    @Test func submitAfterCloseFailsAtOnce() throws {
        try withTemporaryDirectory { folder in
            let store = try SQLiteQueueStore(path: folder + "/queues.db")
            store.close()
            #expect(throws: SQLiteError.self) { try Self.submit(store, [.deleteMessage(id: 1)]).get() }
        }
    }
}
