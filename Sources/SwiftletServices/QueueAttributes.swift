import Foundation
import SwiftletModel
import SwiftletSystem

/// The attributes of a queue: which names exist, which a user may set, their defaults and their ranges, as the
/// CreateQueue and SetQueueAttributes reference pages give them.
// Limitation: Policy, RedriveAllowPolicy, KmsMasterKeyId, KmsDataKeyReusePeriodSeconds, SqsManagedSseEnabled and
// FifoThroughputLimit are validated, stored and reported back, and change nothing.
enum QueueAttributes {
    /// Attributes computed by the queue, readable through GetQueueAttributes only.
    static let readOnly = [
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
    ]
    /// Attributes of every queue a user may set.
    static let settable = [
        "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "Policy", "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
        "SqsManagedSseEnabled",
    ]
    /// Attributes of FIFO queues only (`FifoQueue` itself may only be given at creation).
    static let fifoOnly = ["FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"]

    /// The attributes of a new queue before the user's values are applied.
    static func defaults(fifo: Bool) -> [String: String] {
        var defaults = [
            "DelaySeconds": "0", "MaximumMessageSize": "\(SQSWire.maxMessageBytes)",
            "MessageRetentionPeriod": "\(SQSWire.defaultRetention)", "ReceiveMessageWaitTimeSeconds": "0",
            "VisibilityTimeout": "30", "SqsManagedSseEnabled": "true",
        ]
        if fifo {
            defaults["FifoQueue"] = "true"
            defaults["ContentBasedDeduplication"] = "false"
            defaults["DeduplicationScope"] = "queue"
            defaults["FifoThroughputLimit"] = "perQueue"
        }
        return defaults
    }

    /// Checks `given` for a queue (FIFO or not) and returns the values as they will be stored: numbers without
    /// leading zeros, booleans in lowercase, an empty redrive policy removed (as `""`).
    /// - Parameters:
    ///   - creating: true for CreateQueue, which alone accepts `FifoQueue`.
    ///   - deadLetterQueue: finds a dead-letter target by ARN, telling whether it is FIFO.
    /// - Throws: `InvalidAttributeName` for an unknown name, `InvalidAttributeValue` or `InvalidParameterValue` for
    ///   a value out of range.
    static func validate(
        _ given: [String: String], fifo: Bool, creating: Bool, deadLetterQueue: (String) -> Bool?
    ) throws(AWSError) -> [String: String] {
        var result: [String: String] = [:]
        for name in given.keys.sorted() {
            let value = given[name]!
            guard settable.contains(name) || fifoOnly.contains(name) else { throw .invalidAttributeName(name) }
            if fifoOnly.contains(name) && !fifo {
                // A standard queue may say it is not FIFO; nothing else of FIFO applies to it.
                if name == "FifoQueue" && value.lowercased() == "false" && creating { continue }
                throw .invalidAttributeName(name)
            }
            if name == "FifoQueue" && !creating { throw .invalidAttributeName(name) }
            result[name] = try normalized(name, value, fifo: fifo, deadLetterQueue: deadLetterQueue)
        }
        return result
    }

    private static func normalized(
        _ name: String, _ value: String, fifo: Bool, deadLetterQueue: (String) -> Bool?
    ) throws(AWSError) -> String {
        switch name {
        case "DelaySeconds": return try integer(name, value, 0...SQSWire.maxDelaySeconds)
        case "MaximumMessageSize":
            return try integer(name, value, SQSWire.minMaximumMessageSize...SQSWire.maxMessageBytes)
        case "MessageRetentionPeriod": return try integer(name, value, SQSWire.retentionRange)
        case "ReceiveMessageWaitTimeSeconds": return try integer(name, value, 0...SQSWire.maxWaitSeconds)
        case "VisibilityTimeout": return try integer(name, value, 0...SQSWire.maxVisibilityTimeout)
        case "KmsDataKeyReusePeriodSeconds": return try integer(name, value, 60...86_400)
        case "SqsManagedSseEnabled", "ContentBasedDeduplication", "FifoQueue": return try boolean(name, value)
        case "DeduplicationScope": return try oneOf(name, value, ["messageGroup", "queue"])
        case "FifoThroughputLimit": return try oneOf(name, value, ["perQueue", "perMessageGroupId"])
        case "RedrivePolicy":
            guard !value.isEmpty else { return "" }
            return try RedrivePolicy.parse(value, sourceIsFIFO: fifo, deadLetterQueue: deadLetterQueue).serialized
        case "Policy", "RedriveAllowPolicy":
            guard value.isEmpty || (try? JSONValue.parse(Array(value.utf8))) != nil else {
                throw .invalidAttributeValue(name)
            }
            return value
        default: return value
        }
    }

    private static func integer(
        _ name: String, _ value: String, _ range: ClosedRange<Int>
    ) throws(AWSError)
        -> String
    {
        guard let number = Int(value.trimmingCharacters(in: .whitespaces)), range.contains(number) else {
            throw .invalidAttributeValue(name)
        }
        return String(number)
    }

    private static func boolean(_ name: String, _ value: String) throws(AWSError) -> String {
        switch value.lowercased() {
        case "true": return "true"
        case "false": return "false"
        default: throw .invalidAttributeValue(name)
        }
    }

    private static func oneOf(_ name: String, _ value: String, _ allowed: [String]) throws(AWSError) -> String {
        guard allowed.contains(value) else { throw .invalidAttributeValue(name) }
        return value
    }
}

/// A queue's `RedrivePolicy`: where messages go once received more than `maxReceiveCount` times.
struct RedrivePolicy: Sendable, Equatable {
    var deadLetterTargetArn: String
    var maxReceiveCount: Int

    /// The policy as GetQueueAttributes shows it.
    var serialized: String {
        String(
            decoding: JSONValue.object([
                ("deadLetterTargetArn", .string(deadLetterTargetArn)),
                ("maxReceiveCount", .integer(Int64(maxReceiveCount))),
            ]).serialized(), as: UTF8.self)
    }

    /// Reads a stored policy; nil when absent or unreadable.
    init?(stored: String?) {
        guard let stored, !stored.isEmpty, let value = try? JSONValue.parse(Array(stored.utf8)),
            let arn = value["deadLetterTargetArn"]?.stringValue, case .integer(let count)? = value["maxReceiveCount"]
        else { return nil }
        deadLetterTargetArn = arn
        maxReceiveCount = Int(count)
    }

    init(deadLetterTargetArn: String, maxReceiveCount: Int) {
        self.deadLetterTargetArn = deadLetterTargetArn
        self.maxReceiveCount = maxReceiveCount
    }

    /// Parses and checks a policy a user gave.
    /// - Parameter deadLetterQueue: whether the queue of an ARN is FIFO, or nil when it does not exist.
    static func parse(
        _ text: String, sourceIsFIFO: Bool, deadLetterQueue: (String) -> Bool?
    ) throws(AWSError)
        -> RedrivePolicy
    {
        func invalid(_ reason: String) -> AWSError {
            .sqsInvalidValue(text, parameter: "RedrivePolicy", reason)
        }
        guard case .object? = try? JSONValue.parse(Array(text.utf8)), let value = try? JSONValue.parse(Array(text.utf8))
        else { throw invalid("Redrive policy is not a valid JSON map.") }
        guard let arn = value["deadLetterTargetArn"]?.stringValue else {
            throw invalid("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
        }
        let count: Int?
        switch value["maxReceiveCount"] {
        case .integer(let number)?: count = Int(number)
        case .string(let text)?: count = Int(text)
        case nil: throw invalid("Redrive policy does not contain mandatory attribute: maxReceiveCount.")
        default: count = nil
        }
        guard let count, SQSWire.maxReceiveCountRange.contains(count) else {
            throw invalid(
                "Invalid value for maxReceiveCount: \(value["maxReceiveCount"].map { "\($0)" } ?? ""), "
                    + "valid values are from 1 to 1000 both inclusive.")
        }
        guard let targetIsFIFO = deadLetterQueue(arn) else { throw invalid("Dead letter target does not exist.") }
        guard targetIsFIFO == sourceIsFIFO else {
            throw invalid("Dead-letter queue must be same type of queue as the source.")
        }
        return RedrivePolicy(deadLetterTargetArn: arn, maxReceiveCount: count)
    }
}
