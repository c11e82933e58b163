import Foundation
import SwiftletModel
import SwiftletStore
import SwiftletSystem

/// ReceiveMessage.
extension SQSAPI {
    /// System attribute names ReceiveMessage accepts in `AttributeNames` and `MessageSystemAttributeNames`.
    static let systemAttributeNames: Set<String> = [
        "All", "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
        "SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn",
        "SqsManagedSseEnabled",
    ]

    /// `ReceiveMessage`: `{"Messages"}`, left out when none came. Waits up to `WaitTimeSeconds` (else the queue's
    /// `ReceiveMessageWaitTimeSeconds`) for a message, holding the request with no thread. Errors:
    /// `QueueDoesNotExist`, `InvalidParameterValue` (MaxNumberOfMessages, VisibilityTimeout, WaitTimeSeconds),
    /// `InvalidAttributeName`.
    func receiveMessage(_ call: SQSCall) throws(AWSError) {
        let queue = try queue(call)
        let body = call.body
        let maxMessages = try body.int("MaxNumberOfMessages") ?? 1
        guard (1...SQSWire.maxReceiveMessages).contains(maxMessages) else {
            throw .sqsInvalidValue(
                "\(maxMessages)", parameter: "MaxNumberOfMessages", "Must be between 1 and 10, if provided.")
        }
        let visibility = try body.int("VisibilityTimeout")
        if let visibility, !(0...SQSWire.maxVisibilityTimeout).contains(visibility) {
            throw .sqsInvalidValue(
                "\(visibility)", parameter: "VisibilityTimeout",
                "Must be >= 0 and <= \(SQSWire.maxVisibilityTimeout), if provided.")
        }
        let wait = try body.int("WaitTimeSeconds")
        if let wait, !(0...SQSWire.maxWaitSeconds).contains(wait) {
            throw .sqsInvalidValue("\(wait)", parameter: "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided.")
        }
        let system = Set(try body.stringList("AttributeNames") ?? [])
            .union(try body.stringList("MessageSystemAttributeNames") ?? [])
        for name in system.sorted() where !Self.systemAttributeNames.contains(name) {
            throw .invalidAttributeName(name)
        }
        let filter = MessageAttributeFilter(try body.stringList("MessageAttributeNames") ?? [])
        // Limitation: ReceiveRequestAttemptId is accepted and ignored; a FIFO receive retried after a lost answer
        // does not get the same messages back, they stay in flight until their visibility timeout.

        let request = ReceiveRequest(maxMessages: maxMessages, visibilityTimeout: visibility, waitSeconds: wait)
        let token = service.receive(from: queue, request) { result in
            switch result {
            case .success(let messages):
                let rendered = messages.map { Self.render($0, system: system, filter: filter) }
                call.reply.ok(.members([("Messages", rendered.isEmpty ? nil : .array(rendered))]))
            case .failure(let error): call.reply.fail(error)
            }
        }
        if let token {
            let service = self.service
            call.reply.responder.onAbandon { service.cancelReceive(token, on: queue) }
        }
    }

    /// One message of a ReceiveMessage answer, with the system attributes and message attributes asked for.
    static func render(_ message: ReceivedMessage, system: Set<String>, filter: MessageAttributeFilter) -> JSONValue {
        let record = message.record
        var members: [(String, JSONValue)] = [
            ("MessageId", .string(record.messageId)), ("ReceiptHandle", .string(message.receiptHandle)),
            ("MD5OfBody", .string(message.md5OfBody)), ("Body", .string(record.body)),
        ]
        let all = system.contains("All")
        var attributes: [String: String] = [:]
        func add(_ name: String, _ value: String?) {
            if let value, all || system.contains(name) { attributes[name] = value }
        }
        add("SenderId", record.senderId)
        add("SentTimestamp", "\(record.sentAt)")
        add("ApproximateReceiveCount", "\(record.receiveCount)")
        add("ApproximateFirstReceiveTimestamp", record.firstReceivedAt.map { "\($0)" })
        add("MessageGroupId", record.groupId)
        add("MessageDeduplicationId", record.deduplicationId)
        add("SequenceNumber", record.sequenceNumber)
        add("AWSTraceHeader", record.systemAttributes["AWSTraceHeader"]?.stringValue)
        if !attributes.isEmpty { members.append(("Attributes", .stringMap(attributes))) }

        let selected = record.attributes.filter { filter.includes($0.key) }
        if let digest = MessageDigests.attributes(selected) {
            members.append(("MD5OfMessageAttributes", .string(digest)))
            members.append(("MessageAttributes", renderAttributes(selected)))
        }
        return .object(members)
    }

    private static func renderAttributes(_ attributes: [String: MessageAttributeValue]) -> JSONValue {
        .object(
            attributes.keys.sorted().map { name in
                let value = attributes[name]!
                return (
                    name,
                    .members([
                        ("StringValue", value.stringValue.map { .string($0) }),
                        ("BinaryValue", value.binaryValue.map { .string($0.base64EncodedString()) }),
                        ("DataType", .string(value.dataType)),
                    ])
                )
            })
    }
}

/// Which message attributes a receive asked for: `All` or `.*` for every one, `prefix.*` for a family, or names.
struct MessageAttributeFilter: Sendable {
    private let everything: Bool
    private let names: Set<String>
    private let prefixes: [String]

    init(_ requested: [String]) {
        everything = requested.contains("All") || requested.contains(".*")
        names = Set(requested.filter { !$0.hasSuffix(".*") })
        prefixes = requested.filter { $0.hasSuffix(".*") }.map { String($0.dropLast(1)) }
    }

    /// True when attribute `name` is to be returned.
    func includes(_ name: String) -> Bool {
        everything || names.contains(name) || prefixes.contains { name.hasPrefix($0) }
    }
}
