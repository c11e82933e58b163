import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletRuntime
import SwiftletServices
import SwiftletSystem

extension LambdaService {
    /// Starts running the node's stored asynchronous events with `workers` loops.
    public func attach(_ events: AsyncInvocations, workers: Int = 8) {
        asyncBox.withLock { $0 = events }
        events.start(workers: workers) { [weak self] envelope in
            guard let self else {
                return AsyncInvocations.PreparedEvent(settings: .init()) { AsyncInvocations.Attempt(outcome: .gone) }
            }
            return self.prepareEvent(envelope)
        }
    }

    /// `POST /2014-11-13/functions/{name}/invoke-async/`: the legacy InvokeAsync. The body is the event, at most
    /// 256 KB; the answer is 202 `{"Status": 202}` once the event is stored.
    func invokeAsync(
        _ request: HTTPRequest, _ context: RequestContext, name: String, responder: HTTPResponder
    ) throws(AWSError) {
        var payload = request.body
        if payload.isEmpty { payload = Data("{}".utf8) }
        guard (try? JSONValue.parse(payload)) != nil else {
            throw .invalidRequestContent("Could not parse request body into json: the event is not JSON")
        }
        let qualified = try loadQualified(name, qualifier: nil, in: context)
        try enqueue(
            payload, for: qualified.record.configuration.name, qualifier: qualified.qualifier, context, responder
        ) {
            .json(202, .object([("Status", .integer(202))]))
        }
    }

    /// Stores an event for `functionName` and answers `accepted()` once it is durable.
    func enqueue(
        _ payload: Data, for functionName: String, qualifier: String?, _ context: RequestContext,
        _ responder: HTTPResponder, accepted: @escaping @Sendable () -> HTTPResponse
    ) throws(AWSError) {
        guard let events = asyncBox.withLock({ $0 }) else {
            throw .service("This node does not run asynchronous invocations.")
        }
        let envelope = AsyncInvocations.Envelope(
            requestId: context.requestId, accountId: context.accountId, region: context.region,
            functionName: functionName, qualifier: qualifier, payload: payload,
            acceptedAt: QueueService.systemClock(), failedAttempts: 0)
        events.accept(envelope) { result in
            switch result {
            case .success(let requestId):
                var response = accepted()
                response.headers.set("x-amzn-RequestId", requestId)
                responder.respond(response)
            case .failure(let error):
                responder.respond(
                    AWSError.service("The event could not be stored: \(error.message)")
                        .response(requestId: context.requestId))
            }
        }
    }

    /// Looks an event's function up once: the settings that apply to it (its qualifier's event invoke
    /// configuration, its version's dead-letter queue, else AWS's defaults) and how to run one attempt through the
    /// same admission and scheduler as a synchronous call. A weighted alias draws its version here.
    func prepareEvent(_ envelope: AsyncInvocations.Envelope) -> AsyncInvocations.PreparedEvent {
        let context = RequestContext(
            accountId: envelope.accountId, region: envelope.region, requestId: envelope.requestId)
        var settings = AsyncInvocations.EventSettings()
        if let config = try? eventConfig(envelope.functionName, qualifier: envelope.qualifier, in: context) {
            settings.maximumRetryAttempts = config.maximumRetryAttempts ?? settings.maximumRetryAttempts
            settings.maximumEventAgeSeconds = config.maximumEventAgeInSeconds ?? settings.maximumEventAgeSeconds
            settings.onSuccess = config.onSuccess
            settings.onFailure = config.onFailure
        }
        let qualified: QualifiedFunction
        do {
            qualified = try loadQualified(envelope.functionName, qualifier: envelope.qualifier, in: context) {
                $0.version(forDraw: Double.random(in: 0..<1))
            }
        } catch {
            let outcome: AsyncInvocations.AttemptOutcome = error.status == 404 ? .gone : .failed
            return AsyncInvocations.PreparedEvent(settings: settings) { AsyncInvocations.Attempt(outcome: outcome) }
        }
        settings.deadLetterQueue = qualified.record.configuration.deadLetterTarget
        return AsyncInvocations.PreparedEvent(settings: settings) { [weak self] in
            guard let self else { return AsyncInvocations.Attempt(outcome: .gone) }
            return await self.runEvent(envelope, qualified, context)
        }
    }

    private func runEvent(
        _ envelope: AsyncInvocations.Envelope, _ qualified: QualifiedFunction, _ context: RequestContext
    ) async -> AsyncInvocations.Attempt {
        guard let result = await invokeInternally(qualified, payload: envelope.payload, in: context) else {
            return AsyncInvocations.Attempt(outcome: .throttled)
        }
        return AsyncInvocations.Attempt(
            outcome: result.functionError == nil ? .succeeded : .failed, response: result.payload,
            functionError: result.functionError, executedVersion: result.executedVersion)
    }
}
