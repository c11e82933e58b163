import SwiftletHTTP
import SwiftletLambda
import SwiftletServices

/// The node's one port: requests naming a JSON-protocol service in `X-Amz-Target` go to that service, everything
/// else to the Lambda API, which answers unknown paths itself.
final class NodeRouter: HTTPHandler {
    let lambda: LambdaAPI
    let logs: LogsAPI
    let sqs: SQSAPI

    init(lambda: LambdaAPI, logs: LogsAPI, sqs: SQSAPI) {
        self.lambda = lambda
        self.logs = logs
        self.sqs = sqs
    }

    func handle(_ request: HTTPRequest, responder: HTTPResponder) {
        if logs.handles(request) {
            logs.handle(request, responder: responder)
        } else if sqs.handles(request) {
            sqs.handle(request, responder: responder)
        } else {
            lambda.handle(request, responder: responder)
        }
    }
}
