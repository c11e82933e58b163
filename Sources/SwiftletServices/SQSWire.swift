import SwiftletModel

/// Wire constants of Amazon SQS, as botocore's `sqs/2012-11-05` service model (JSON 1.0, `awsQueryCompatible`)
/// and the SQS quotas and API reference pages define them.
public enum SQSWire {
    /// Prefix of `X-Amz-Target` for every operation (`targetPrefix` in the service model).
    static let targetPrefix = "AmazonSQS."
    /// The awsJSON 1.0 content type of requests and responses.
    static let contentType = "application/x-amz-json-1.0"
    /// The header carrying the legacy query-protocol error code and fault (`<code>;Sender`).
    static let queryErrorHeader = "x-amzn-query-error"
    /// The namespace AWS puts before error shape names in `__type`.
    static let errorNamespace = "com.amazonaws.sqs#"

    // Limitation: messages are limited to 256 KiB; AWS now accepts up to 1 MiB.
    /// Largest message body plus attributes, and the default `MaximumMessageSize` (256 KiB).
    public static let maxMessageBytes = 262_144
    /// Smallest `MaximumMessageSize`.
    static let minMaximumMessageSize = 1024
    /// Most entries in one batch request.
    static let maxBatchEntries = 10
    /// Most message attributes on one message.
    static let maxMessageAttributes = 10
    /// Longest queue name, batch entry id, group id and deduplication id.
    static let maxNameLength = 80
    /// Longest message attribute name.
    static let maxAttributeNameLength = 256
    /// Longest `DelaySeconds`: 15 minutes.
    static let maxDelaySeconds = 900
    /// Longest `VisibilityTimeout`: 12 hours.
    public static let maxVisibilityTimeout = 43_200
    /// Longest `WaitTimeSeconds` and `ReceiveMessageWaitTimeSeconds`.
    public static let maxWaitSeconds = 20
    /// Most messages one ReceiveMessage returns.
    public static let maxReceiveMessages = 10
    /// Bounds of `MessageRetentionPeriod`: one minute to 14 days; the default is 4 days.
    static let retentionRange = 60...1_209_600
    static let defaultRetention = 345_600
    /// Bounds of a redrive policy's `maxReceiveCount`.
    static let maxReceiveCountRange = 1...1000
    /// FIFO deduplication window: 5 minutes.
    static let deduplicationWindowMilliseconds: Int64 = 300_000
    /// Time between two purges of one queue: 60 seconds.
    static let purgeIntervalMilliseconds: Int64 = 60_000
    /// Most queue URLs ListQueues returns, and the bound of `MaxResults`.
    static let maxListResults = 1000

    /// The ARN of a queue.
    public static func queueARN(region: String, accountId: String, name: String) -> String {
        "arn:aws:sqs:\(region):\(accountId):\(name)"
    }
}

/// The errors SQS answers: HTTP 400 (403 for a purge too soon) with `{"__type", "message"}` and the legacy code in
/// `x-amzn-query-error`, which is what SDKs report as the error code.
extension AWSError {
    /// An SQS error whose shape is `shape` and whose legacy code is `code`.
    static func sqs(_ shape: String, code: String, _ message: String, status: Int = 400) -> AWSError {
        AWSError(type: shape, status: status, message: message, bodyStyle: .jsonProtocol, queryErrorCode: code)
    }

    /// `QueueDoesNotExist` (`AWS.SimpleQueueService.NonExistentQueue`).
    public static let queueDoesNotExist = sqs(
        "QueueDoesNotExist", code: "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")

    /// `QueueNameExists` (`QueueAlreadyExists`): the name is taken by a queue whose attribute differs.
    static func queueAlreadyExists(_ attribute: String) -> AWSError {
        sqs(
            "QueueNameExists", code: "QueueAlreadyExists",
            "A queue already exists with the same name and a different value for attribute \(attribute)")
    }

    /// `InvalidParameterValue`, for a value the operation refuses.
    public static func sqsInvalidParameter(_ message: String) -> AWSError {
        sqs("InvalidParameterValueException", code: "InvalidParameterValue", message)
    }

    /// `InvalidParameterValue` in AWS's "Value X for parameter Y is invalid. Reason: Z." phrasing.
    static func sqsInvalidValue(_ value: String, parameter: String, _ reason: String) -> AWSError {
        sqsInvalidParameter("Value \(value) for parameter \(parameter) is invalid. Reason: \(reason)")
    }

    /// `MissingParameter`, for a required member left out.
    static func sqsMissingParameter(_ name: String) -> AWSError {
        sqs(
            "MissingRequiredParameterException", code: "MissingParameter",
            "The request must contain the parameter \(name).")
    }

    /// `InvalidAttributeName`, for a queue or message attribute name SQS does not know.
    static func invalidAttributeName(_ name: String) -> AWSError {
        sqs("InvalidAttributeName", code: "InvalidAttributeName", "Unknown Attribute \(name).")
    }

    /// `InvalidAttributeValue`, for a queue attribute out of its range.
    static func invalidAttributeValue(_ name: String, _ reason: String? = nil) -> AWSError {
        let detail = reason.map { " Reason: \($0)" } ?? ""
        return sqs(
            "InvalidAttributeValue", code: "InvalidAttributeValue", "Invalid value for the parameter \(name).\(detail)")
    }

    /// `ReceiptHandleIsInvalid`.
    static func receiptHandleIsInvalid(_ handle: String) -> AWSError {
        sqs(
            "ReceiptHandleIsInvalid", code: "ReceiptHandleIsInvalid",
            "The input receipt handle \"\(handle)\" is not a valid receipt handle.")
    }

    /// `MessageNotInflight`, for a visibility change of a message nobody holds.
    static let messageNotInflight = sqs(
        "MessageNotInflight", code: "AWS.SimpleQueueService.MessageNotInflight",
        "Message does not exist or is not available for visibility timeout change.")

    /// `InvalidMessageContents`, for a body with characters outside the allowed set.
    static let invalidMessageContents = sqs(
        "InvalidMessageContents", code: "InvalidMessageContents",
        "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD "
            + "| #x10000 to #x10FFFF")

    /// `PurgeQueueInProgress`: a second purge within 60 seconds (HTTP 403).
    static func purgeQueueInProgress(_ name: String) -> AWSError {
        sqs(
            "PurgeQueueInProgress", code: "AWS.SimpleQueueService.PurgeQueueInProgress",
            "Only one PurgeQueue operation on \(name) is allowed every 60 seconds.", status: 403)
    }

    /// `EmptyBatchRequest`.
    static func emptyBatchRequest(_ entryShape: String) -> AWSError {
        sqs(
            "EmptyBatchRequest", code: "AWS.SimpleQueueService.EmptyBatchRequest",
            "There should be at least one \(entryShape) in the request.")
    }

    /// `TooManyEntriesInBatchRequest`.
    static func tooManyEntriesInBatchRequest(_ count: Int) -> AWSError {
        sqs(
            "TooManyEntriesInBatchRequest", code: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            "Maximum number of entries per request are \(SQSWire.maxBatchEntries). You have sent \(count).")
    }

    /// `BatchEntryIdsNotDistinct`.
    static func batchEntryIdsNotDistinct(_ id: String) -> AWSError {
        sqs("BatchEntryIdsNotDistinct", code: "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id \(id) repeated.")
    }

    /// `InvalidBatchEntryId`.
    static let invalidBatchEntryId = sqs(
        "InvalidBatchEntryId", code: "AWS.SimpleQueueService.InvalidBatchEntryId",
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 "
            + "letters long.")

    /// `BatchRequestTooLong`.
    static func batchRequestTooLong(_ bytes: Int) -> AWSError {
        sqs(
            "BatchRequestTooLong", code: "AWS.SimpleQueueService.BatchRequestTooLong",
            "Batch requests cannot be longer than \(SQSWire.maxMessageBytes) bytes. You have sent \(bytes) bytes.")
    }

    /// `UnsupportedOperation`, for an operation this node does not serve.
    static func sqsUnsupportedOperation(_ target: String) -> AWSError {
        sqs(
            "UnsupportedOperation", code: "AWS.SimpleQueueService.UnsupportedOperation",
            "Swiftlet's SQS does not serve the operation '\(target)'.")
    }

    /// `SerializationException`-like refusal of a body that is not the JSON object the operation takes.
    static func sqsMalformed(_ message: String) -> AWSError {
        sqs("InvalidParameterValueException", code: "InvalidParameterValue", message)
    }

    /// HTTP 500 for a failure of the node's queue storage.
    static let sqsServiceUnavailable = AWSError(
        type: "ServiceUnavailable", status: 500,
        message: "The service cannot complete the request: its storage failed.",
        bodyStyle: .jsonProtocol, origin: "Service", queryErrorCode: "ServiceUnavailable")
}
