import Foundation
import SwiftletStore
import SwiftletSystem
import Testing

@testable import SwiftletLambda
@testable import SwiftletServices

@Suite("SQS event records and partial batch answers")
struct SQSEventTests {
    private func received(
        body: String, attributes: [String: MessageAttributeValue] = [:], groupId: String? = nil,
        receiveCount: Int = 1
    ) -> ReceivedMessage {
        let record = MessageRecord(
            id: 7, queueId: 1, messageId: "m-1", body: body, attributes: attributes, systemAttributes: [:],
            sentAt: 1_764_000_000_000, senderId: "123456789012", groupId: groupId,
            deduplicationId: groupId == nil ? nil : "d-1",
            sequenceNumber: groupId == nil ? nil : "18880000000000000001",
            visibleAt: 0, receiveCount: receiveCount, firstReceivedAt: 1_764_000_000_500)
        return ReceivedMessage(record: record, receiptHandle: "handle-1", md5OfBody: "5d41402abc4b2a76b9719d911017c592")
    }

    private let arn = "arn:aws:sqs:eu-west-1:123456789012:jobs"

    @Test func aStandardRecordHasAWSFieldsInOrder() throws {
        let message = received(
            body: "hello", attributes: ["color": MessageAttributeValue(dataType: "String", stringValue: "red")],
            receiveCount: 2)
        let record = SQSEvent.record(message, queueArn: arn, region: "eu-west-1")
        guard case .object(let members) = record else {
            Issue.record("a record is an object")
            return
        }
        #expect(
            members.map(\.0) == [
                "messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody",
                "md5OfMessageAttributes", "eventSource", "eventSourceARN", "awsRegion",
            ])
        #expect(record["eventSource"] == .string("aws:sqs"))
        #expect(record["eventSourceARN"] == .string(arn))
        #expect(record["attributes"]?["ApproximateReceiveCount"] == .string("2"))
        #expect(record["attributes"]?["SentTimestamp"] == .string("1764000000000"))
        #expect(record["attributes"]?["ApproximateFirstReceiveTimestamp"] == .string("1764000000500"))
        #expect(record["attributes"]?["MessageGroupId"] == nil)
        let color = record["messageAttributes"]?["color"]
        #expect(color?["stringValue"] == .string("red"))
        #expect(color?["dataType"] == .string("String"))
        #expect(color?["stringListValues"] == .array([]))
    }

    @Test func aFIFORecordCarriesItsGroupAndSequence() {
        let record = SQSEvent.record(received(body: "x", groupId: "g"), queueArn: arn + ".fifo", region: "eu-west-1")
        #expect(record["attributes"]?["MessageGroupId"] == .string("g"))
        #expect(record["attributes"]?["MessageDeduplicationId"] == .string("d-1"))
        #expect(record["attributes"]?["SequenceNumber"] == .string("18880000000000000001"))
        #expect(record["md5OfMessageAttributes"] == nil)
    }

    @Test func thePayloadListsTheRecords() throws {
        let payload = SQSEvent.payload([JSONValue.string("a").serialized(), JSONValue.string("b").serialized()])
        #expect(try JSONValue.parse(payload) == .members([("Records", .array([.string("a"), .string("b")]))]))
    }

    @Test(arguments: [
        "", "  ", "null", "{}", #"{"batchItemFailures": []}"#, #"{"batchItemFailures": null}"#, #"{"other": 1}"#,
    ])
    func answersThatMeanCompleteSuccess(answer: String) {
        #expect(SQSEvent.failedItems(in: Data(answer.utf8), batch: ["a", "b"]) == [])
    }

    @Test func listedItemsAreTheOnlyFailures() {
        let answer = #"{"batchItemFailures": [{"itemIdentifier": "b"}, {"itemIdentifier": "b"}]}"#
        #expect(SQSEvent.failedItems(in: Data(answer.utf8), batch: ["a", "b", "c"]) == ["b"])
    }

    @Test(arguments: [
        "not json", #""done""#, "[]", #"{"batchItemFailures": "a"}"#,
        #"{"batchItemFailures": [{"itemIdentifier": ""}]}"#,
        #"{"batchItemFailures": [{"itemIdentifier": null}]}"#, #"{"batchItemFailures": [{"id": "a"}]}"#,
        #"{"batchItemFailures": [{"itemIdentifier": "zz"}]}"#, #"{"batchItemFailures": ["a"]}"#,
    ])
    func answersThatFailTheWholeBatch(answer: String) {
        #expect(SQSEvent.failedItems(in: Data(answer.utf8), batch: ["a", "b"]) == nil)
    }
}
