import Foundation
import SwiftletModel
import SwiftletStore
import SwiftletSystem
import Testing

@testable import SwiftletHTTP
@testable import SwiftletServices

@Suite("QueueService")
struct QueueServiceTests {
    static let account = "000000000000"
    static let region = "us-east-1"

    /// Runs `body` with a folder for a queue database, removed afterwards.
    static func withFolder(_ body: (String) async throws -> Void) async throws {
        let folder = NSTemporaryDirectory() + "swiftlet-queue-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await body(folder)
    }

    static func open(_ folder: String) throws -> QueueService {
        try QueueService(
            store: try SQLiteQueueStore(path: folder + "/queues.db"),
            logger: Logger(label: "test.sqs", sink: MemoryLogSink()))
    }

    static func create(
        _ service: QueueService, _ name: String, _ attributes: [String: String] = [:]
    ) async throws -> ManagedQueue {
        let result = await withCheckedContinuation { continuation in
            service.createQueue(name: name, attributes: attributes, accountId: account, region: region) {
                continuation.resume(returning: $0)
            }
        }
        return try result.get()
    }

    @Test func messagesAndTheirDeliveryStateSurviveReopening() async throws {
        try await Self.withFolder { folder in
            var handle = ""
            do {
                let service = try Self.open(folder)
                let queue = try await Self.create(service, "durable", ["VisibilityTimeout": "600"])
                for body in ["one", "two", "three"] {
                    _ = try await service.send(OutgoingMessage(body: body), to: queue, senderId: "S")
                }
                let received = try await service.receive(from: queue, ReceiveRequest(maxMessages: 1))
                handle = received[0].receiptHandle
                service.close()
            }

            let service = try Self.open(folder)
            defer { service.close() }
            let queue = try service.queue(named: "durable", accountId: Self.account, region: Self.region)
            #expect(queue.settings.visibilityTimeout == 600)
            let attributes = service.attributes(of: queue)
            #expect(attributes["ApproximateNumberOfMessages"] == "2")
            #expect(attributes["ApproximateNumberOfMessagesNotVisible"] == "1")
            let rest = try await service.receive(from: queue, ReceiveRequest(maxMessages: 10))
            #expect(rest.map(\.record.body) == ["two", "three"])
            #expect(await service.delete([handle], from: queue).allSatisfy { (try? $0.get()) != nil })
        }
    }

    @Test func aWaitingReceiveIsAnsweredWhenAMessageArrives() async throws {
        try await Self.withFolder { folder in
            let service = try Self.open(folder)
            defer { service.close() }
            let queue = try await Self.create(service, "poll")
            let started = Date()
            async let received = service.receive(from: queue, ReceiveRequest(maxMessages: 1, waitSeconds: 10))
            try await Task.sleep(for: .milliseconds(200))
            _ = try await service.send(OutgoingMessage(body: "wake"), to: queue, senderId: "S")
            #expect(try await received.map(\.record.body) == ["wake"])
            #expect(Date().timeIntervalSince(started) < 5)
        }
    }

    @Test func aWaitingReceiveEndsEmptyWhenItsWaitPasses() async throws {
        try await Self.withFolder { folder in
            let service = try Self.open(folder)
            defer { service.close() }
            let queue = try await Self.create(service, "idle")
            let started = Date()
            let received = try await service.receive(from: queue, ReceiveRequest(maxMessages: 1, waitSeconds: 1))
            #expect(received.isEmpty)
            #expect(Date().timeIntervalSince(started) >= 0.9)
        }
    }

    @Test func aMessageReceivedTooOftenEndsUpInTheDeadLetterQueue() async throws {
        try await Self.withFolder { folder in
            let service = try Self.open(folder)
            defer { service.close() }
            let dlq = try await Self.create(service, "dead")
            let policy = #"{"deadLetterTargetArn":"\#(dlq.arn)","maxReceiveCount":1}"#
            let queue = try await Self.create(service, "work", ["RedrivePolicy": policy, "VisibilityTimeout": "0"])
            _ = try await service.send(OutgoingMessage(body: "poison"), to: queue, senderId: "S")
            #expect(try await service.receive(from: queue, ReceiveRequest()).count == 1)
            #expect(try await service.receive(from: queue, ReceiveRequest()).isEmpty)
            let moved = try await service.receive(from: dlq, ReceiveRequest())
            #expect(moved.map(\.record.body) == ["poison"])
        }
    }

    @Test func creatingAnExistingQueueWithOtherAttributesFails() async throws {
        try await Self.withFolder { folder in
            let service = try Self.open(folder)
            defer { service.close() }
            let first = try await Self.create(service, "same", ["DelaySeconds": "5"])
            let again = try await Self.create(service, "same", ["DelaySeconds": "5"])
            #expect(first === again)
            await #expect(throws: AWSError.queueAlreadyExists("DelaySeconds")) {
                try await Self.create(service, "same", ["DelaySeconds": "6"])
            }
        }
    }

    @Test func theHTTPAPIGivesTheLegacyCodeInTheQueryErrorHeader() async throws {
        try await Self.withFolder { folder in
            let service = try Self.open(folder)
            defer { service.close() }
            let api = SQSAPI(service: service, accountId: Self.account, region: Self.region)
            let request = HTTPRequest(
                method: "POST", path: "/",
                headers: HTTPHeaders([("X-Amz-Target", "AmazonSQS.GetQueueUrl"), ("Host", "localhost:1")]),
                body: Data(#"{"QueueName":"missing"}"#.utf8))
            let responder = HTTPResponder(connection: nil)
            api.handle(request, responder: responder)
            let response = try #require(responder.handlerReturned())
            #expect(response.status == 400)
            #expect(response.headers["x-amzn-query-error"] == "AWS.SimpleQueueService.NonExistentQueue;Sender")
            let body = try JSONValue.parse(response.body)
            #expect(body["__type"]?.stringValue == "com.amazonaws.sqs#QueueDoesNotExist")
            #expect(body["message"]?.stringValue == "The specified queue does not exist.")
        }
    }
}
