import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore
import SwiftletSystem

/// Where a node's CloudWatch Logs API lives: the account every request speaks for, and the region of requests
/// whose credential scope names none.
public struct LogsServiceConfiguration: Sendable {
    /// The 12-digit account in every ARN.
    public var accountId: String
    /// The region of unsigned requests.
    public var region: String

    /// A configuration for `accountId`, defaulting unsigned requests to `region`.
    public init(accountId: String = "000000000000", region: String = "us-east-1") {
        self.accountId = accountId
        self.region = region
    }
}

/// The CloudWatch Logs API (awsJSON 1.1, `X-Amz-Target: Logs_20140328.<Operation>`) over a ``LogStore``.
///
/// Every request is answered before ``handle(_:responder:)`` returns. Errors are HTTP 400 (500 for a storage
/// failure) with `x-amzn-ErrorType` and a `{"__type", "message"}` body; every response carries `x-amzn-RequestId`.
public final class LogsAPI: HTTPHandler {
    let configuration: LogsServiceConfiguration
    let store: any LogStore
    let logger: Logger
    /// Milliseconds since the epoch; replaced in tests.
    let clock: @Sendable () -> Int64

    /// Creates the API.
    /// - Parameters:
    ///   - configuration: the account and default region.
    ///   - store: where groups, streams and events live.
    ///   - logger: receives storage failures.
    ///   - clock: the current time in milliseconds since the epoch.
    public init(
        configuration: LogsServiceConfiguration, store: any LogStore, logger: Logger,
        clock: @escaping @Sendable () -> Int64 = LogsAPI.systemClock
    ) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.clock = clock
    }

    /// The wall clock in milliseconds since the epoch.
    public static let systemClock: @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// True for requests this API serves: those whose `X-Amz-Target` starts with `Logs_20140328.`.
    public func handles(_ request: HTTPRequest) -> Bool {
        request.headers["X-Amz-Target"]?.hasPrefix(LogsWire.targetPrefix) ?? false
    }

    /// Answers `request` before returning.
    public func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        responder.respond(answer(request, requestId: Identifier.uuid()))
    }

    /// The response to `request`, with `requestId` in its `x-amzn-RequestId` header.
    func answer(_ request: HTTPRequest, requestId: String) -> HTTPResponse {
        var response: HTTPResponse
        do {
            response = try perform(request, requestId: requestId)
        } catch {
            response = HTTPResponse.json(
                error.status, .object(error.body.map { ($0.0, .string($0.1)) }),
                headers: HTTPHeaders([("x-amzn-ErrorType", error.type)]))
        }
        response.headers.set("Content-Type", LogsWire.contentType)
        response.headers.set("x-amzn-RequestId", requestId)
        return response
    }

    private func perform(_ request: HTTPRequest, requestId: String) throws(AWSError) -> HTTPResponse {
        let target = request.headers["X-Amz-Target"] ?? ""
        guard request.method == "POST", target.hasPrefix(LogsWire.targetPrefix),
            let operation = LogsOperation(rawValue: String(target.dropFirst(LogsWire.targetPrefix.count)))
        else { throw .logsUnknownOperation(target) }
        if request.bodyTooLarge { throw .logsRequestTooLarge }

        let body = try LogsRequestBody(request.body)
        let scope = CredentialScope.from(request)
        let context = RequestContext(
            accountId: configuration.accountId, region: scope?.region ?? configuration.region,
            accessKeyId: scope?.accessKeyId, requestId: requestId)

        let result = try run(operation, body, context)
        return HTTPResponse(status: 200, body: Data(result.serialized()))
    }

    private func run(
        _ operation: LogsOperation, _ body: LogsRequestBody, _ context: RequestContext
    ) throws(AWSError)
        -> JSONValue
    {
        switch operation {
        case .createLogGroup: try createLogGroup(body, context)
        case .describeLogGroups: try describeLogGroups(body, context)
        case .deleteLogGroup: try deleteLogGroup(body, context)
        case .createLogStream: try createLogStream(body, context)
        case .describeLogStreams: try describeLogStreams(body, context)
        case .putLogEvents: try putLogEvents(body, context)
        case .getLogEvents: try getLogEvents(body, context)
        case .filterLogEvents: try filterLogEvents(body, context)
        case .putRetentionPolicy: try putRetentionPolicy(body, context)
        case .deleteRetentionPolicy: try deleteRetentionPolicy(body, context)
        }
    }

    /// Runs a store call, turning its failure into a 500 `ServiceUnavailableException` and an error log line.
    func storage<Result>(_ operation: String, _ body: () throws -> Result) throws(AWSError) -> Result {
        do {
            return try body()
        } catch {
            logger.error("log store failed", [("logs.operation", operation), ("error", "\(error)")])
            throw .logsServiceUnavailable
        }
    }
}

// Limitation: only these ten operations are served; DeleteLogStream, metric and subscription filters, Insights
// queries, tagging and Live Tail answer UnknownOperationException.
/// The operations this node serves, named as in `X-Amz-Target`.
enum LogsOperation: String, CaseIterable {
    case createLogGroup = "CreateLogGroup"
    case describeLogGroups = "DescribeLogGroups"
    case deleteLogGroup = "DeleteLogGroup"
    case createLogStream = "CreateLogStream"
    case describeLogStreams = "DescribeLogStreams"
    case putLogEvents = "PutLogEvents"
    case getLogEvents = "GetLogEvents"
    case filterLogEvents = "FilterLogEvents"
    case putRetentionPolicy = "PutRetentionPolicy"
    case deleteRetentionPolicy = "DeleteRetentionPolicy"
}
