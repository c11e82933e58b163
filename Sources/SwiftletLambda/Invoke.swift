import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletRuntime
import SwiftletSystem

extension LambdaService {
    /// `POST /2015-03-31/functions/{name}/invocations`: runs the function and answers with its result, holding the
    /// request open (no thread waits) until the function answers. Through an alias with a routing configuration, each
    /// invocation draws the version it runs; `X-Amz-Executed-Version` names it.
    ///
    /// Errors answered at once: `ResourceNotFoundException`, `RequestEntityTooLargeException` (payload over 6 MB),
    /// `InvalidRequestContentException` (payload not JSON), `InvalidParameterValueException` (bad headers),
    /// `TooManyRequestsException` (over the function's reserved or the account's unreserved concurrency).
    /// A function that fails answers 200 with `X-Amz-Function-Error: Unhandled` and the error document.
    func invoke(
        _ request: HTTPRequest, _ context: RequestContext, name: String, responder: HTTPResponder
    )
        throws(AWSError)
    {
        let invocationType = request.headers["X-Amz-Invocation-Type"] ?? "RequestResponse"
        guard ["RequestResponse", "Event", "DryRun"].contains(invocationType) else {
            throw .validation([
                .value(
                    invocationType, at: "invocationType",
                    "Member must satisfy enum value set: [Event, RequestResponse, DryRun]")
            ])
        }
        let logType = request.headers["X-Amz-Log-Type"] ?? "None"
        guard logType == "None" || logType == "Tail" else {
            throw .validation([.value(logType, at: "logType", "Member must satisfy enum value set: [None, Tail]")])
        }
        if invocationType == "Event", request.body.count > limits.asynchronousPayloadBytes {
            throw .requestTooLarge(
                "Request must be smaller than \(limits.asynchronousPayloadBytes) bytes for the InvokeFunction operation"
            )
        }
        if request.body.count > limits.synchronousPayloadBytes {
            throw .requestTooLarge(
                "Request must be smaller than \(limits.synchronousPayloadBytes) bytes for the InvokeFunction operation")
        }
        var payload = request.body
        if payload.isEmpty {
            payload = Data("{}".utf8)
        } else {
            do {
                _ = try JSONValue.parse(payload)
            } catch {
                throw .invalidRequestContent(
                    "Could not parse request body into json: Could not parse payload into json: \(error)")
            }
        }
        let clientContext = try Self.clientContext(request.headers["X-Amz-Client-Context"])

        // Through a weighted alias, each invocation draws its version.
        let qualified = try loadQualified(name, qualifier: request.queryValue("Qualifier"), in: context) {
            $0.version(forDraw: Double.random(in: 0..<1))
        }
        let record = qualified.record
        if invocationType == "DryRun" {
            responder.respond(
                HTTPResponse(
                    status: 204, headers: HTTPHeaders([("X-Amz-Executed-Version", record.configuration.version)])))
            return
        }
        if invocationType == "Event" {
            try enqueue(payload, for: record.configuration.name, qualifier: qualified.qualifier, context, responder) {
                HTTPResponse(status: 202)
            }
            return
        }
        guard let scheduler else {
            throw .service("This node does not run functions.")
        }
        let permit = try admit(record, in: context)
        var invocation = invocationRequest(qualified, payload: payload, in: context)
        invocation.clientContext = clientContext
        invocation.wantsLogTail = logType == "Tail"
        scheduler.invoke(invocation) { result in
            permit?.release()
            if result.throttled {
                responder.respond(
                    AWSError.tooManyRequests(reason: ThrottleReason.accountLimit.rawValue)
                        .response(requestId: result.requestId))
                return
            }
            var headers = HTTPHeaders([
                ("Content-Type", "application/json"), ("X-Amz-Executed-Version", result.executedVersion),
                ("x-amzn-RequestId", result.requestId),
            ])
            if let error = result.functionError { headers.add("X-Amz-Function-Error", error) }
            if let tail = result.logTail { headers.add("X-Amz-Log-Result", tail) }
            responder.respond(HTTPResponse(status: 200, headers: headers, body: result.payload))
        }
    }

    /// Decodes `X-Amz-Client-Context`: base64 of a JSON object, at most 3,583 bytes as sent.
    static func clientContext(_ header: String?) throws(AWSError) -> String? {
        guard let header, !header.isEmpty else { return nil }
        guard header.utf8.count <= 3583 else {
            throw .invalidParameterValue("Client context must be at most 3583 bytes once base64-encoded.")
        }
        guard let data = Data(base64Encoded: header), case .object = try? JSONValue.parse(data) else {
            throw .invalidParameterValue("Client context must be a valid Base64-encoded JSON object.")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
