import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore
import SwiftletSystem

extension LambdaService {
    /// `PUT /2019-09-25/functions/{name}/event-invoke-config`: sets how asynchronous events of the function (or of
    /// the version or alias in `Qualifier`) are handled, replacing any earlier configuration whole.
    ///
    /// Errors: `ResourceNotFoundException`, `ValidationException` (values out of range),
    /// `InvalidParameterValueException` (a destination that is not an ARN or of a kind this node cannot deliver to).
    func putEventInvokeConfig(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let (functionName, qualifier) = try eventConfigTarget(request, context, name: name)
        var config = EventInvokeConfig(
            accountId: context.accountId, region: context.region, functionName: functionName, qualifier: qualifier,
            lastModified: Date())
        try apply(JSONBody(request.body), to: &config)
        try storage("store the event invoke configuration") { try store.putEventInvokeConfig(config) }
        return .json(200, Self.document(config))
    }

    /// `POST /2019-09-25/functions/{name}/event-invoke-config`: changes the settings the request names and keeps
    /// the others. Errors: those of Put, and `ResourceNotFoundException` when there is no configuration.
    func updateEventInvokeConfig(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let (functionName, qualifier) = try eventConfigTarget(request, context, name: name)
        guard var config = try eventConfig(functionName, qualifier: qualifier, in: context) else {
            throw noEventConfig(functionName, qualifier: qualifier, in: context)
        }
        try apply(JSONBody(request.body), to: &config)
        config.lastModified = Date()
        try storage("store the event invoke configuration") { try store.putEventInvokeConfig(config) }
        return .json(200, Self.document(config))
    }

    /// `GET /2019-09-25/functions/{name}/event-invoke-config`.
    func getEventInvokeConfig(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let (functionName, qualifier) = try eventConfigTarget(request, context, name: name)
        guard let config = try eventConfig(functionName, qualifier: qualifier, in: context) else {
            throw noEventConfig(functionName, qualifier: qualifier, in: context)
        }
        return .json(200, Self.document(config))
    }

    /// `DELETE /2019-09-25/functions/{name}/event-invoke-config`.
    func deleteEventInvokeConfig(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let (functionName, qualifier) = try eventConfigTarget(request, context, name: name)
        let removed = try storage("delete the event invoke configuration") {
            try store.deleteEventInvokeConfig(
                accountId: context.accountId, region: context.region, functionName: functionName, qualifier: qualifier)
        }
        guard removed != nil else { throw noEventConfig(functionName, qualifier: qualifier, in: context) }
        return HTTPResponse(status: 204)
    }

    /// `GET /2019-09-25/functions/{name}/event-invoke-config/list`: every qualifier's configuration, paged by
    /// `Marker` (the last qualifier given) and `MaxItems` (1 to 50).
    func listEventInvokeConfigs(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let record = try load(try resolveUnqualified(name, in: context), in: context)
        let all = try storage("list event invoke configurations") {
            try store.eventInvokeConfigs(
                accountId: context.accountId, region: context.region, functionName: record.configuration.name)
        }
        let page = try qualifierPage(all, request) { $0.qualifier }
        return .json(
            200,
            .members([
                ("FunctionEventInvokeConfigs", .array(page.items.map(Self.document))), ("NextMarker", page.nextMarker),
            ]))
    }

    /// The configuration that applies to events of `functionName` run through `qualifier` (nil: `$LATEST`).
    func eventConfig(
        _ functionName: String, qualifier: String?, in context: RequestContext
    ) throws(AWSError) -> EventInvokeConfig? {
        let wanted = qualifier ?? "$LATEST"
        return try storage("read the event invoke configuration") {
            try store.eventInvokeConfigs(
                accountId: context.accountId, region: context.region, functionName: functionName
            ).first { $0.qualifier == wanted }
        }
    }

    // MARK: - Helpers

    /// The function and qualifier (`$LATEST` when none is given) a request names; they must exist.
    private func eventConfigTarget(
        _ request: HTTPRequest, _ context: RequestContext, name: String
    ) throws(AWSError) -> (String, String) {
        let qualified = try loadQualified(name, qualifier: request.queryValue("Qualifier"), in: context)
        return (qualified.record.configuration.name, qualified.qualifier ?? "$LATEST")
    }

    private func noEventConfig(_ functionName: String, qualifier: String, in context: RequestContext) -> AWSError {
        .resourceNotFound(
            "The function "
                + ARN.function(
                    region: context.region, account: context.accountId, name: functionName, qualifier: qualifier)
                + " doesn't have an EventInvokeConfig")
    }

    /// Reads the settings a request gives into `config`, leaving the others.
    private func apply(_ body: JSONBody, to config: inout EventInvokeConfig) throws(AWSError) {
        if let retries = try body.int("MaximumRetryAttempts", in: 0...2, field: "maximumRetryAttempts") {
            config.maximumRetryAttempts = retries
        }
        if let age = try body.int("MaximumEventAgeInSeconds", in: 60...21_600, field: "maximumEventAgeInSeconds") {
            config.maximumEventAgeInSeconds = age
        }
        if let destinations = try body.object("DestinationConfig") {
            if let success = try destinations.object("OnSuccess") {
                config.onSuccess = try Self.checkedDestination(try success.string("Destination"))
            }
            if let failure = try destinations.object("OnFailure") {
                config.onFailure = try Self.checkedDestination(try failure.string("Destination"))
            }
        }
    }

    /// A destination ARN this node can deliver to: an SQS queue or a Lambda function; nil or empty clears it.
    // Limitation: destinations may be SQS queues or Lambda functions; SNS topics, EventBridge buses and S3 buckets
    // are refused.
    static func checkedDestination(_ arn: String?) throws(AWSError) -> String? {
        guard let arn, !arn.isEmpty else { return nil }
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 6, parts[0] == "arn", parts[1].hasPrefix("aws") else {
            throw .invalidParameterValue("The destination ARN \(arn) is invalid.")
        }
        guard parts[2] == "sqs" || (parts[2] == "lambda" && parts[5] == "function") else {
            throw .invalidParameterValue(
                "The destination \(arn) is of a kind this node does not deliver to (\(parts[2])): "
                    + "use an SQS queue or a Lambda function.")
        }
        return arn
    }

    static func document(_ config: EventInvokeConfig) -> JSONValue {
        func destination(_ arn: String?) -> JSONValue {
            .members([("Destination", arn.map(JSONValue.string))])
        }
        return .members([
            ("LastModified", .number(config.lastModified.timeIntervalSince1970)),
            ("FunctionArn", .string(config.functionArn)),
            ("MaximumRetryAttempts", config.maximumRetryAttempts.map { .integer(Int64($0)) }),
            ("MaximumEventAgeInSeconds", config.maximumEventAgeInSeconds.map { .integer(Int64($0)) }),
            (
                "DestinationConfig",
                .members([("OnSuccess", destination(config.onSuccess)), ("OnFailure", destination(config.onFailure))])
            ),
        ])
    }
}
