/// An error as an AWS service puts it on the wire: a type name, an HTTP status and a message a person can act on.
///
/// The model knows nothing of HTTP; the front renders these into the `x-amzn-ErrorType` header and a JSON body.
public struct AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// How the JSON body names its fields; Lambda's error shapes differ from one type to another.
    public enum BodyStyle: Sendable, Equatable {
        /// `{"Type": "User", "message": "..."}`, the shape of most Lambda errors.
        case typeAndLowercaseMessage
        /// `{"Type": "User", "Message": "..."}`, the shape of `ResourceNotFoundException` and `ServiceException`.
        case typeAndCapitalMessage
        /// `{"message": "..."}`, the shape of `ValidationException`.
        case messageOnly
        /// `{"__type": "ResourceNotFoundException", "message": "..."}`, the shape of every error of the JSON 1.0 and
        /// 1.1 protocols (CloudWatch Logs, SQS, EventBridge), where the type is also in the body.
        case jsonProtocol
    }

    /// The wire type, for example `ResourceNotFoundException`.
    public var type: String
    /// The HTTP status code.
    public var status: Int
    /// The message shown to the user.
    public var message: String
    /// The JSON body's field names.
    public var bodyStyle: BodyStyle
    /// `User` when the caller is at fault, `Service` otherwise.
    public var origin: String
    /// Extra body fields some errors carry (for example `Reason` on throttling).
    public var extraFields: [String: String]
    /// The code the service had under its former query protocol, for services whose model is
    /// `awsQueryCompatible` (SQS): sent in `x-amzn-query-error`, and what the SDKs report as the error code.
    public var queryErrorCode: String?

    public init(
        type: String, status: Int, message: String, bodyStyle: BodyStyle = .typeAndLowercaseMessage,
        origin: String = "User", extraFields: [String: String] = [:], queryErrorCode: String? = nil
    ) {
        self.type = type
        self.status = status
        self.message = message
        self.bodyStyle = bodyStyle
        self.origin = origin
        self.extraFields = extraFields
        self.queryErrorCode = queryErrorCode
    }

    public var description: String { "\(type) (\(status)): \(message)" }

    /// The JSON body's fields, in the order AWS writes them.
    public var body: [(String, String)] {
        var body: [(String, String)]
        switch bodyStyle {
        case .typeAndLowercaseMessage: body = [("Type", origin), ("message", message)]
        case .typeAndCapitalMessage: body = [("Type", origin), ("Message", message)]
        case .messageOnly: body = [("message", message)]
        case .jsonProtocol: body = [("__type", type), ("message", message)]
        }
        for key in extraFields.keys.sorted() { body.append((key, extraFields[key]!)) }
        return body
    }
}

extension AWSError {
    /// 404 `ResourceNotFoundException`.
    public static func resourceNotFound(_ message: String) -> AWSError {
        AWSError(type: "ResourceNotFoundException", status: 404, message: message, bodyStyle: .typeAndCapitalMessage)
    }

    /// 409 `ResourceConflictException`.
    public static func resourceConflict(_ message: String) -> AWSError {
        AWSError(type: "ResourceConflictException", status: 409, message: message)
    }

    /// 400 `InvalidParameterValueException`.
    public static func invalidParameterValue(_ message: String) -> AWSError {
        AWSError(type: "InvalidParameterValueException", status: 400, message: message)
    }

    /// 400 `ValidationException` carrying one or more field violations.
    public static func validation(_ violations: [ValidationViolation]) -> AWSError {
        let count = violations.count
        let noun = count == 1 ? "validation error" : "validation errors"
        let details = violations.map(\.text).joined(separator: "; ")
        return AWSError(
            type: "ValidationException", status: 400, message: "\(count) \(noun) detected: \(details)",
            bodyStyle: .messageOnly)
    }

    /// 400 `InvalidRequestContentException`, for a body that is not the JSON the operation expects.
    public static func invalidRequestContent(_ message: String) -> AWSError {
        AWSError(type: "InvalidRequestContentException", status: 400, message: message)
    }

    /// 413 `RequestEntityTooLargeException`, the type AWS puts on the wire for its `RequestTooLargeException`.
    public static func requestTooLarge(_ message: String) -> AWSError {
        AWSError(type: "RequestEntityTooLargeException", status: 413, message: message)
    }

    /// 412 `PreconditionFailedException` for a stale `RevisionId`.
    public static let revisionMismatch = AWSError(
        type: "PreconditionFailedException", status: 412,
        message: "The Revision Id provided does not match the latest Revision Id. "
            + "Call the GetFunction/GetAlias API to retrieve the latest Revision Id")

    /// 403 `AccessDeniedException`: the account may not perform `action` on `resource`. Also the answer for another
    /// account's resource that does not exist, so that its existence is not revealed.
    public static func accessDenied(accountId: String, action: String, resource: String) -> AWSError {
        AWSError(
            type: "AccessDeniedException", status: 403,
            message: "User: arn:aws:iam::\(accountId):root is not authorized to perform: \(action) on resource: "
                + "\(resource) because no resource-based policy allows the \(action) action",
            bodyStyle: .typeAndCapitalMessage)
    }

    /// 429 `TooManyRequestsException`: an invocation over a concurrency limit, `reason` saying which.
    public static func tooManyRequests(reason: String) -> AWSError {
        AWSError(
            type: "TooManyRequestsException", status: 429, message: "Rate Exceeded.", extraFields: ["Reason": reason])
    }

    /// 500 `ServiceException`, for a failure of the node itself.
    public static func service(_ message: String) -> AWSError {
        AWSError(
            type: "ServiceException", status: 500, message: message, bodyStyle: .typeAndCapitalMessage,
            origin: "Service")
    }

    /// 404 `UnknownOperationException` for a path and method no operation serves.
    public static func unknownOperation(method: String, path: String) -> AWSError {
        AWSError(
            type: "UnknownOperationException", status: 404,
            message: "No operation matches \(method) \(path). Check the endpoint URL and the API version in the path.",
            bodyStyle: .typeAndCapitalMessage)
    }
}

/// One violated field constraint, phrased as AWS phrases it.
public struct ValidationViolation: Sendable, Equatable {
    /// `Value 'x' at 'field' failed to satisfy constraint: Member must ...`
    public var text: String

    /// A violation of `constraint` by `value` (already rendered, quoted or `null`) at `field`.
    public init(renderedValue: String, field: String, constraint: String) {
        text = "Value \(renderedValue) at '\(field)' failed to satisfy constraint: \(constraint)"
    }

    /// A violation by a string or number, which AWS quotes.
    public static func value(_ value: String, at field: String, _ constraint: String) -> ValidationViolation {
        ValidationViolation(renderedValue: "'\(value)'", field: field, constraint: constraint)
    }

    /// A missing required member.
    public static func missing(_ field: String) -> ValidationViolation {
        ValidationViolation(renderedValue: "null", field: field, constraint: "Member must not be null")
    }
}
