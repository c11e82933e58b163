import SwiftletModel

/// Wire constants of CloudWatch Logs, as botocore's `logs/2014-03-28` service model and the CloudWatch Logs
/// quotas page define them.
enum LogsWire {
    /// Prefix of `X-Amz-Target` for every operation (`targetPrefix` in the service model).
    static let targetPrefix = "Logs_20140328."
    /// The awsJSON 1.1 content type of requests and responses.
    static let contentType = "application/x-amz-json-1.1"

    /// Most events one PutLogEvents, GetLogEvents or FilterLogEvents call carries (`InputLogEvents`,
    /// `EventsLimit`).
    static let maxEventsPerCall = 10_000
    /// Bytes a batch of events may take, counting ``eventOverheadBytes`` per event (PutLogEvents quotas).
    static let maxBatchBytes = 1_048_576
    /// What AWS adds to each event's UTF-8 message length when it measures a batch.
    static let eventOverheadBytes = 26
    /// Widest time span of one PutLogEvents batch: 24 hours.
    static let maxBatchSpanMilliseconds: Int64 = 24 * 3_600_000
    /// Events further in the future than this are rejected: 2 hours.
    static let maxFutureMilliseconds: Int64 = 2 * 3_600_000
    /// Events older than this are rejected: 14 days.
    static let maxAgeMilliseconds: Int64 = 14 * 86_400_000
    /// Most groups or streams one Describe call lists, and its default (`DescribeLimit`).
    static let maxDescribeLimit = 50
    /// Most stream names one FilterLogEvents call names (`InputLogStreamNames`).
    static let maxFilterStreamNames = 100
    /// Longest filter pattern (`FilterPattern`).
    static let maxFilterPatternLength = 1024
    /// Longest group or stream name (`LogGroupName`, `LogStreamName`).
    static let maxNameLength = 512

    /// The values `retentionInDays` may take (`Days`, documented on PutRetentionPolicy).
    static let retentionDays: [Int] = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]

    /// The pattern of `LogGroupName`, as AWS quotes it in validation messages.
    static let groupNamePattern = #"[\.\-_/#A-Za-z0-9]+"#
    /// The pattern of `LogStreamName`, as AWS quotes it in validation messages.
    static let streamNamePattern = "[^:*]*"

    /// The ARN of a log group as DescribeLogGroups gives it in `arn`: with a trailing `:*`.
    static func groupARN(_ context: RequestContext, _ group: String) -> String {
        "\(groupARNWithoutWildcard(context, group)):*"
    }

    /// The ARN of a log group as DescribeLogGroups gives it in `logGroupArn`, and as resource policies name it.
    static func groupARNWithoutWildcard(_ context: RequestContext, _ group: String) -> String {
        "arn:aws:logs:\(context.region):\(context.accountId):log-group:\(group)"
    }

    /// The ARN of a log stream.
    static func streamARN(_ context: RequestContext, group: String, stream: String) -> String {
        "\(groupARNWithoutWildcard(context, group)):log-stream:\(stream)"
    }
}

/// The errors CloudWatch Logs answers, all HTTP 400 with `{"__type": ..., "message": ...}` unless noted.
extension AWSError {
    /// `InvalidParameterException`, for a value the operation refuses.
    static func logsInvalidParameter(_ message: String) -> AWSError {
        AWSError(type: "InvalidParameterException", status: 400, message: message, bodyStyle: .jsonProtocol)
    }

    /// `InvalidParameterException` listing violated model constraints, phrased as AWS's validation layer does.
    static func logsValidation(_ violations: [ValidationViolation]) -> AWSError {
        let noun = violations.count == 1 ? "validation error" : "validation errors"
        let details = violations.map(\.text).joined(separator: "; ")
        return .logsInvalidParameter("\(violations.count) \(noun) detected: \(details)")
    }

    /// `ResourceNotFoundException` for a missing log group.
    static let logGroupNotFound = AWSError(
        type: "ResourceNotFoundException", status: 400, message: "The specified log group does not exist.",
        bodyStyle: .jsonProtocol)

    /// `ResourceNotFoundException` for a missing log stream.
    static let logStreamNotFound = AWSError(
        type: "ResourceNotFoundException", status: 400, message: "The specified log stream does not exist.",
        bodyStyle: .jsonProtocol)

    /// `ResourceAlreadyExistsException` for a log group name in use.
    static let logGroupExists = AWSError(
        type: "ResourceAlreadyExistsException", status: 400, message: "The specified log group already exists",
        bodyStyle: .jsonProtocol)

    /// `ResourceAlreadyExistsException` for a log stream name in use.
    static let logStreamExists = AWSError(
        type: "ResourceAlreadyExistsException", status: 400, message: "The specified log stream already exists",
        bodyStyle: .jsonProtocol)

    /// `InvalidParameterException` for a `nextToken` this node did not hand out.
    static let invalidNextToken = AWSError.logsInvalidParameter("The specified nextToken is invalid.")

    /// `SerializationException`, for a body that is not a JSON object of the expected member types.
    static func logsSerialization(_ message: String) -> AWSError {
        AWSError(type: "SerializationException", status: 400, message: message, bodyStyle: .jsonProtocol)
    }

    /// `UnknownOperationException`, for an `X-Amz-Target` naming no operation this node serves.
    static func logsUnknownOperation(_ target: String) -> AWSError {
        AWSError(
            type: "UnknownOperationException", status: 400,
            message: "Swiftlet's CloudWatch Logs does not serve the operation '\(target)'.", bodyStyle: .jsonProtocol)
    }

    /// 413 `RequestEntityTooLargeException`, for a body past the server's limit.
    static let logsRequestTooLarge = AWSError(
        type: "RequestEntityTooLargeException", status: 413, message: "Request body is too large.",
        bodyStyle: .jsonProtocol)

    /// 500 `ServiceUnavailableException`, for a failure of the node's storage.
    static let logsServiceUnavailable = AWSError(
        type: "ServiceUnavailableException", status: 500,
        message: "The service cannot complete the request: its storage failed.", bodyStyle: .jsonProtocol,
        origin: "Service")
}
