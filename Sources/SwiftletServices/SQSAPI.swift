import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletSystem

/// The Amazon SQS API (awsJSON 1.0, `X-Amz-Target: AmazonSQS.<Operation>`) over a ``QueueService``.
///
/// Operations that change state are answered once the change is durable, from the store's thread; a
/// ReceiveMessage that long-polls is held open with no thread waiting. Errors carry the legacy query code in
/// `x-amzn-query-error`, which the SDKs report as the error code.
public final class SQSAPI: HTTPHandler {
    let service: QueueService
    let accountId: String
    let region: String

    /// Creates the API.
    /// - Parameters:
    ///   - service: where queues live.
    ///   - accountId: the account every request speaks for.
    ///   - region: the region of requests whose credential scope names none.
    public init(service: QueueService, accountId: String, region: String) {
        self.service = service
        self.accountId = accountId
        self.region = region
    }

    /// True for requests this API serves: those whose `X-Amz-Target` starts with `AmazonSQS.`.
    public func handles(_ request: HTTPRequest) -> Bool {
        request.headers["X-Amz-Target"]?.hasPrefix(SQSWire.targetPrefix) ?? false
    }

    /// Answers `request`, now or once its work is stored.
    public func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        let reply = SQSReply(responder: responder, requestId: Identifier.uuid())
        do throws(AWSError) {
            let target = request.headers["X-Amz-Target"] ?? ""
            guard request.method == "POST",
                let operation = SQSOperation(rawValue: String(target.dropFirst(SQSWire.targetPrefix.count)))
            else { throw .sqsUnsupportedOperation(target) }
            if request.bodyTooLarge {
                throw .sqsInvalidParameter("Request body is larger than this node accepts.")
            }
            let body = try SQSRequestBody(request.body)
            let scope = CredentialScope.from(request)
            let call = SQSCall(
                body: body, accountId: accountId, region: scope?.region ?? region,
                senderId: scope?.accessKeyId ?? accountId,
                endpoint: request.headers["Host"].map { "http://\($0)" } ?? "http://localhost", reply: reply)
            try run(operation, call)
        } catch {
            reply.fail(error)
        }
    }

    private func run(_ operation: SQSOperation, _ call: SQSCall) throws(AWSError) {
        switch operation {
        case .createQueue: try createQueue(call)
        case .getQueueUrl: try getQueueUrl(call)
        case .listQueues: try listQueues(call)
        case .deleteQueue: try deleteQueue(call)
        case .purgeQueue: try purgeQueue(call)
        case .getQueueAttributes: try getQueueAttributes(call)
        case .setQueueAttributes: try setQueueAttributes(call)
        case .sendMessage: try sendMessage(call)
        case .sendMessageBatch: try sendMessageBatch(call)
        case .receiveMessage: try receiveMessage(call)
        case .deleteMessage: try deleteMessage(call)
        case .deleteMessageBatch: try deleteMessageBatch(call)
        case .changeMessageVisibility: try changeMessageVisibility(call)
        case .changeMessageVisibilityBatch: try changeMessageVisibilityBatch(call)
        }
    }

    /// The queue a request's `QueueUrl` names.
    func queue(_ call: SQSCall) throws(AWSError) -> ManagedQueue {
        try service.queue(url: try call.body.required("QueueUrl"), region: call.region)
    }
}

// Limitation: tagging (TagQueue, UntagQueue, ListQueueTags), permissions (AddPermission, RemovePermission),
// ListDeadLetterSourceQueues and message move tasks are not served; they answer UnsupportedOperation.
/// The operations this node serves, named as in `X-Amz-Target`.
enum SQSOperation: String, CaseIterable {
    case createQueue = "CreateQueue"
    case getQueueUrl = "GetQueueUrl"
    case listQueues = "ListQueues"
    case deleteQueue = "DeleteQueue"
    case purgeQueue = "PurgeQueue"
    case getQueueAttributes = "GetQueueAttributes"
    case setQueueAttributes = "SetQueueAttributes"
    case sendMessage = "SendMessage"
    case sendMessageBatch = "SendMessageBatch"
    case receiveMessage = "ReceiveMessage"
    case deleteMessage = "DeleteMessage"
    case deleteMessageBatch = "DeleteMessageBatch"
    case changeMessageVisibility = "ChangeMessageVisibility"
    case changeMessageVisibilityBatch = "ChangeMessageVisibilityBatch"
}

/// One request being served: its body, who it speaks for, and how to answer it.
struct SQSCall: Sendable {
    let body: SQSRequestBody
    let accountId: String
    let region: String
    /// The `SenderId` of messages it sends: the signing access key, or the account.
    let senderId: String
    /// `http://<Host>`, the base of the queue URLs it is given.
    let endpoint: String
    let reply: SQSReply

    init(body: SQSRequestBody, accountId: String, region: String, senderId: String, endpoint: String, reply: SQSReply) {
        self.body = body
        self.accountId = accountId
        self.region = region
        self.senderId = senderId
        self.endpoint = endpoint
        self.reply = reply
    }
}

/// Answers one SQS request, from any thread, with the request id and content type every answer carries.
struct SQSReply: Sendable {
    let responder: HTTPResponder
    let requestId: String

    /// 200 with `value` as the body.
    func ok(_ value: JSONValue) {
        var response = HTTPResponse(status: 200, body: Data(value.serialized()))
        response.headers.set("Content-Type", SQSWire.contentType)
        response.headers.set("x-amzn-RequestId", requestId)
        responder.respond(response)
    }

    /// The error's status, `x-amzn-query-error` and `{"__type", "message"}` body.
    func fail(_ error: AWSError) {
        var response = HTTPResponse(status: error.status, body: Data(Self.body(error).serialized()))
        response.headers.set("Content-Type", SQSWire.contentType)
        response.headers.set("x-amzn-RequestId", requestId)
        if let code = error.queryErrorCode {
            response.headers.set(SQSWire.queryErrorHeader, "\(code);\(error.origin == "User" ? "Sender" : "Receiver")")
        }
        responder.respond(response)
    }

    /// The JSON body of an SQS error.
    static func body(_ error: AWSError) -> JSONValue {
        .object([("__type", .string(SQSWire.errorNamespace + error.type)), ("message", .string(error.message))])
    }
}
