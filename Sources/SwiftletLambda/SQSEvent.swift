import Foundation
import SwiftletServices
import SwiftletStore
import SwiftletSystem

/// The event a function reading an SQS queue receives, in AWS's shape (`{"Records": [...]}`), and how its answer
/// names the messages that failed.
enum SQSEvent {
    /// One message as a record of the event. The same record, body parsed, is what filter patterns match.
    static func record(_ message: ReceivedMessage, queueArn: String, region: String) -> JSONValue {
        let stored = message.record
        var attributes: [(String, JSONValue?)] = [
            ("ApproximateReceiveCount", .string("\(stored.receiveCount)")),
            ("SentTimestamp", .string("\(stored.sentAt)")),
        ]
        if let sequenceNumber = stored.sequenceNumber { attributes.append(("SequenceNumber", .string(sequenceNumber))) }
        if let groupId = stored.groupId { attributes.append(("MessageGroupId", .string(groupId))) }
        attributes.append(("SenderId", .string(stored.senderId)))
        if let deduplicationId = stored.deduplicationId {
            attributes.append(("MessageDeduplicationId", .string(deduplicationId)))
        }
        attributes.append(
            ("ApproximateFirstReceiveTimestamp", .string("\(stored.firstReceivedAt ?? stored.sentAt)")))
        if let trace = stored.systemAttributes["AWSTraceHeader"]?.stringValue {
            attributes.append(("AWSTraceHeader", .string(trace)))
        }

        let messageAttributes = stored.attributes.keys.sorted().map { name -> (String, JSONValue) in
            let value = stored.attributes[name]!
            return (
                name,
                .members([
                    ("stringValue", value.stringValue.map(JSONValue.string)),
                    ("binaryValue", value.binaryValue.map { .string($0.base64EncodedString()) }),
                    ("stringListValues", .array([])), ("binaryListValues", .array([])),
                    ("dataType", .string(value.dataType)),
                ])
            )
        }
        return .members([
            ("messageId", .string(stored.messageId)), ("receiptHandle", .string(message.receiptHandle)),
            ("body", .string(stored.body)), ("attributes", .members(attributes)),
            ("messageAttributes", .object(messageAttributes)), ("md5OfBody", .string(message.md5OfBody)),
            ("md5OfMessageAttributes", MessageDigests.attributes(stored.attributes).map(JSONValue.string)),
            ("eventSource", .string("aws:sqs")), ("eventSourceARN", .string(queueArn)),
            ("awsRegion", .string(region)),
        ])
    }

    /// The payload of one invocation: the records, already serialized, in the order they were received.
    static func payload(_ records: [[UInt8]]) -> Data {
        var output = Array(#"{"Records":["#.utf8)
        output.reserveCapacity(records.reduce(16) { $0 + $1.count + 1 })
        for (index, record) in records.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: record)
        }
        output.append(contentsOf: "]}".utf8)
        return Data(output)
    }

    /// The ids of the messages a function's answer reports as failed, under `ReportBatchItemFailures`: empty for a
    /// complete success (no answer, `null`, `{}` or an empty or null `batchItemFailures`), nil when the whole batch
    /// counts as failed (an answer that is not that shape, an item without a usable `itemIdentifier`, or an
    /// identifier of no message in the batch), as AWS decides.
    static func failedItems(in response: Data, batch messageIds: Set<String>) -> Set<String>? {
        let trimmed = response.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        guard !trimmed.isEmpty else { return [] }
        guard let answer = try? JSONValue.parse(response) else { return nil }
        switch answer {
        case .null: return []
        case .object(let members):
            guard let failures = members.first(where: { $0.0 == "batchItemFailures" })?.1 else { return [] }
            switch failures {
            case .null: return []
            case .array(let items):
                var failed = Set<String>()
                for item in items {
                    guard case .object(let fields) = item,
                        let identifier = fields.first(where: { $0.0 == "itemIdentifier" })?.1.stringValue,
                        !identifier.isEmpty, messageIds.contains(identifier)
                    else { return nil }
                    failed.insert(identifier)
                }
                return failed
            default: return nil
            }
        default: return nil
        }
    }
}
