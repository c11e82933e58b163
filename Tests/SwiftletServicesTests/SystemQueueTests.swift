import Foundation
import SwiftletModel
import SwiftletStore
import SwiftletSystem
import Testing

@testable import SwiftletServices

/// The node's own queues: invisible to clients, free of SQS's size ranges, and emptied of in-flight messages when a
/// node starts again.
@Suite("QueueService system queues")
struct SystemQueueTests {
    @Test func aSystemQueueTakesLargeMessagesAndNoClientCanNameIt() async throws {
        try await QueueServiceTests.withFolder { folder in
            let service = try QueueServiceTests.open(folder)
            defer { service.close() }
            let queue = try await service.systemQueue(name: "events", attributes: ["MaximumMessageSize": "400000"])
            let again = try await service.systemQueue(name: "events", attributes: [:])

            let large = String(repeating: "x", count: 300_000)
            _ = try await service.send(OutgoingMessage(body: large), to: queue, senderId: "node")

            #expect(again === queue)
            #expect(throws: AWSError.self) { try service.queue(arn: "arn:aws:sqs:local:swiftlet:events") }
            #expect(throws: AWSError.self) { try service.queue(url: "http://node/swiftlet/events", region: "local") }
            #expect(service.queueNames(accountId: QueueServiceTests.account, region: "local").isEmpty)
        }
    }

    @Test func inFlightMessagesAreVisibleAgainAfterAReopenAndReveal() async throws {
        try await QueueServiceTests.withFolder { folder in
            do {
                let service = try QueueServiceTests.open(folder)
                let queue = try await service.systemQueue(name: "events", attributes: ["VisibilityTimeout": "900"])
                for body in ["a", "b", "c"] {
                    _ = try await service.send(OutgoingMessage(body: body), to: queue, senderId: "node")
                }
                let taken = try await service.receive(from: queue, ReceiveRequest(maxMessages: 2))
                #expect(taken.count == 2)
                service.close()
            }

            let service = try QueueServiceTests.open(folder)
            defer { service.close() }
            let queue = try await service.systemQueue(name: "events", attributes: [:])
            let revealed = try await service.revealInFlight(of: queue)
            let all = try await service.receive(from: queue, ReceiveRequest(maxMessages: 10))

            #expect(revealed == 2)
            #expect(Set(all.map(\.record.body)) == ["a", "b", "c"])
            #expect(all.allSatisfy { $0.record.receiveCount >= 1 })
        }
    }
}
