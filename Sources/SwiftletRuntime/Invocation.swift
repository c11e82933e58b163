import Foundation
import SwiftletModel
import SwiftletSystem
import Synchronization

/// What to run: one invocation of one version of a function.
public struct InvocationRequest: Sendable {
    public var accountId: String
    public var region: String
    /// The configuration of the version that runs.
    public var configuration: FunctionConfiguration
    /// The ARN the caller named, qualifier included if there was one.
    public var invokedFunctionArn: String
    public var payload: Data
    /// The client context as JSON text, already decoded from base64.
    public var clientContext: String?
    /// The Cognito identity as JSON text.
    public var cognitoIdentity: String?
    /// Whether the caller asked for the last 4 KB of the log.
    public var wantsLogTail: Bool
    /// Whether the function's environments reach the node and, through the host, the outside; false leaves a
    /// namespaced environment nothing but its Runtime API. Sandboxes sharing the host's network ignore it.
    public var routesOutside: Bool
    /// The request id the function sees; nil draws a fresh one. An asynchronous event keeps the id its caller was
    /// given through every attempt.
    public var requestId: String?

    public init(
        accountId: String, region: String, configuration: FunctionConfiguration, invokedFunctionArn: String,
        payload: Data, clientContext: String? = nil, cognitoIdentity: String? = nil, wantsLogTail: Bool = false,
        routesOutside: Bool = true
    ) {
        self.routesOutside = routesOutside
        self.accountId = accountId
        self.region = region
        self.configuration = configuration
        self.invokedFunctionArn = invokedFunctionArn
        self.payload = payload
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
        self.wantsLogTail = wantsLogTail
    }
}

/// How an invocation ended.
public struct InvocationResult: Sendable {
    public var requestId: String
    /// The function's answer, or the error document when ``functionError`` is set.
    public var payload: Data
    /// `Unhandled` when the function or its runtime failed.
    public var functionError: String?
    /// The last 4 KB of the invocation's log, base64, when the caller asked for it.
    public var logTail: String?
    /// The version that ran.
    public var executedVersion: String
    /// The node had no room for another environment: nothing ran, and the caller should be told to retry.
    public var throttled = false
}

/// An invocation in flight: its id, request, the lines of its log so far, and who to tell when it ends.
final class Invocation: Sendable {
    let id: String
    let request: InvocationRequest
    let traceId: String
    private let completion: @Sendable (InvocationResult) -> Void
    private let finished = Atomic<Bool>(false)
    /// Log lines since START, kept for the log tail.
    private let tail = Mutex<[String]>([])

    init(request: InvocationRequest, completion: @escaping @Sendable (InvocationResult) -> Void) {
        self.id = request.requestId ?? Identifier.uuid()
        self.request = request
        self.traceId = Invocation.makeTraceId()
        self.completion = completion
    }

    /// Records a line for the tail, keeping only what the last 4 KB can hold.
    func recordLine(_ line: String) {
        guard request.wantsLogTail else { return }
        tail.withLock { lines in
            lines.append(line)
            var total = lines.reduce(0) { $0 + $1.utf8.count + 1 }
            while total > 8192, lines.count > 1 {
                total -= lines.removeFirst().utf8.count + 1
            }
        }
    }

    /// Ends the invocation once; later calls do nothing.
    func finish(payload: Data, functionError: String?) {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var logTail: String?
        if request.wantsLogTail {
            let text = tail.withLock { $0.joined(separator: "\n") + "\n" }
            let bytes = Array(text.utf8.suffix(4096))
            logTail = Data(bytes).base64EncodedString()
        }
        completion(
            InvocationResult(
                requestId: id, payload: payload, functionError: functionError, logTail: logTail,
                executedVersion: request.configuration.version))
    }

    /// Ends the invocation without running it: the node has no room for the environment it needs.
    func throttle() {
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var result = InvocationResult(
            requestId: id, payload: Data(), functionError: nil, logTail: nil,
            executedVersion: request.configuration.version)
        result.throttled = true
        completion(result)
    }

    /// Ends the invocation with an error document in AWS's shape.
    func fail(type: String, message: String) {
        finish(payload: Self.errorDocument(type: type, message: message), functionError: "Unhandled")
    }

    /// `{"errorType": ..., "errorMessage": ...}`, the shape of the errors Lambda itself reports for a function.
    static func errorDocument(type: String, message: String) -> Data {
        Data(JSONValue.object([("errorType", .string(type)), ("errorMessage", .string(message))]).serialized())
    }

    var isFinished: Bool { finished.load(ordering: .acquiring) }

    /// `Root=1-<8 hex seconds>-<24 hex>;Parent=<16 hex>;Sampled=0`, the X-Ray header Lambda always sends.
    static func makeTraceId() -> String {
        let seconds = String(UInt32(Date().timeIntervalSince1970), radix: 16)
        let random = Digest.randomBytes(20).hexString
        let root = String(random.prefix(24))
        let parent = String(random.dropFirst(24).prefix(16))
        return "Root=1-\(seconds)-\(root);Parent=\(parent);Sampled=0"
    }
}
