import Foundation
import SwiftletModel
import SwiftletRuntime
import SwiftletServices
import SwiftletStore
import SwiftletSystem
import Synchronization

/// Asynchronous invocations: each accepted event is a message of a queue of the node's own (durable before the
/// caller hears 202), and workers take events from it and run them through the same admission and scheduler as
/// synchronous calls. Delivery is at least once: an event leaves the queue only after its last attempt.
///
/// An event's life:
///
///     accepted (stored) ──receive──► running ──success──────────────────────────► deleted
///          ▲  ▲                        │  ├──function error, retries left──► re-sent, delayed (1 min, 2 min)
///          │  └──visibility backoff────┤  ├──function error, none left─────► deleted (logged)
///          │                           │  └──older than its maximum age────► deleted (logged)
///          └──node restart: in-flight ─┴──throttled: hidden again with backoff, until its maximum age
///
/// Retry delays, backoffs and the maximum age are multiplied by the node's time scale, so tests can run them fast.
public final class AsyncInvocations: Sendable {
    /// How an event's envelope is stored in the queue.
    struct Envelope: Sendable, Equatable {
        var requestId: String
        var accountId: String
        var region: String
        var functionName: String
        var qualifier: String?
        var payload: Data
        /// Milliseconds since the epoch when the node accepted the event.
        var acceptedAt: Int64
        /// Attempts that ended in a function error so far.
        var failedAttempts: Int
    }

    /// Retries after a function error, by default (`MaximumRetryAttempts`).
    static let maximumRetryAttempts = 2
    /// Seconds an event is kept trying, by default (`MaximumEventAgeInSeconds`).
    static let maximumEventAgeSeconds = 21_600
    /// Seconds an event being run stays hidden: longer than any function's timeout.
    static let runningVisibilitySeconds = 960

    let queues: QueueService
    let queue: ManagedQueue
    let logger: Logger
    /// Multiplies every delay and age; 1 is AWS's timing.
    let timeScale: Double
    private let stopped = Atomic<Bool>(false)
    private let tasks = Mutex<[Task<Void, Never>]>([])

    /// Opens the node's event queue, making visible again what was in flight when the node last stopped.
    public init(queues: QueueService, logger: Logger, timeScale: Double = 1) async throws(AWSError) {
        self.queues = queues
        self.logger = logger
        self.timeScale = timeScale
        queue = try await queues.systemQueue(
            name: "async-events",
            attributes: [
                // A 256 KB payload in base64 inside its envelope.
                "MaximumMessageSize": "400000", "MessageRetentionPeriod": "1209600",
                "VisibilityTimeout": "\(Self.runningVisibilitySeconds)",
            ])
        let revealed = try await queues.revealInFlight(of: queue)
        if revealed > 0 { logger.info("events in flight at the last stop will run again", [("events", "\(revealed)")]) }
    }

    /// Stores an event; `completion` gets its request id once it is durable, or the storage failure.
    func accept(_ envelope: Envelope, completion: @escaping @Sendable (Result<String, AWSError>) -> Void) {
        let message = OutgoingMessage(body: Self.encode(envelope))
        queues.send([message], to: queue, senderId: "swiftlet") { results in
            completion(results[0].map { _ in envelope.requestId })
        }
    }

    /// What applies to one event: its function's event invoke configuration, or AWS's defaults.
    struct EventSettings: Sendable, Equatable {
        var maximumRetryAttempts = AsyncInvocations.maximumRetryAttempts
        var maximumEventAgeSeconds = AsyncInvocations.maximumEventAgeSeconds
        var onSuccess: String?
        var onFailure: String?
        /// The function's `DeadLetterConfig.TargetArn`.
        var deadLetterQueue: String?
    }

    /// How one attempt went, with what a destination's record reports of it.
    struct Attempt: Sendable {
        var outcome: AttemptOutcome
        var response: Data = Data()
        var functionError: String?
        var executedVersion = "$LATEST"
    }

    /// An event made ready to run: what applies to it, and how to run one attempt.
    struct PreparedEvent: Sendable {
        var settings: EventSettings
        var run: @Sendable () async -> Attempt
    }

    /// Starts `workers` loops that take events, `prepare` each (its function looked up once) and run it.
    // Limitation: asynchronous events are run by a fixed pool of workers (eight loops of up to ten events).
    func start(workers: Int, prepare: @escaping @Sendable (Envelope) -> PreparedEvent) {
        let started = (0..<workers).map { _ in
            Task.detached { [self] in
                while !stopped.load(ordering: .relaxed) {
                    let messages: [ReceivedMessage]
                    do {
                        messages = try await queues.receive(
                            from: queue,
                            ReceiveRequest(
                                maxMessages: 10, visibilityTimeout: Self.runningVisibilitySeconds, waitSeconds: 1))
                    } catch {
                        logger.error("cannot take events", [("error.message", "\(error)")])
                        try? await Task.sleep(nanoseconds: 1_000_000_000)
                        continue
                    }
                    await withTaskGroup(of: Void.self) { group in
                        for message in messages {
                            group.addTask { await self.handle(message, prepare: prepare) }
                        }
                    }
                }
            }
        }
        tasks.withLock { $0 = started }
    }

    /// Stops taking events; events being run finish, and those not taken stay stored for the next start.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    /// How one attempt ended.
    enum AttemptOutcome: Sendable, Equatable {
        case succeeded
        case failed
        case throttled
        /// The function is gone: the event can never run.
        case gone
    }

    private func handle(
        _ message: ReceivedMessage, prepare: @Sendable (Envelope) -> PreparedEvent
    ) async {
        guard let envelope = Self.decode(message.record.body) else {
            logger.error("dropping an unreadable event", [("message.id", message.record.messageId)])
            _ = await queues.delete([message.receiptHandle], from: queue)
            return
        }
        let prepared = prepare(envelope)
        let settings = prepared.settings
        let ageSeconds = Double(QueueService.systemClock() - envelope.acceptedAt) / 1000
        if ageSeconds > Double(settings.maximumEventAgeSeconds) * timeScale {
            await failedForGood(
                envelope, attempt: nil, condition: "EventAgeExceeded", reason: "it is older than its maximum age",
                settings: settings, message: message)
            return
        }
        let attempt = await prepared.run()
        // A node stopping mid-attempt leaves the event in flight; its next start runs it again.
        guard !stopped.load(ordering: .relaxed) else { return }
        switch attempt.outcome {
        case .succeeded:
            await record(envelope, attempt: attempt, condition: "Success", to: settings.onSuccess)
            _ = await queues.delete([message.receiptHandle], from: queue)
        case .gone:
            dropped(envelope, reason: "its function no longer exists")
            _ = await queues.delete([message.receiptHandle], from: queue)
        case .throttled:
            // Hidden again, backing off as AWS does, up to five minutes between tries.
            let seconds = min(300, 1 << min(8, Int(message.record.receiveCount)))
            _ = await queues.changeVisibility(
                [(message.receiptHandle, max(1, Int((Double(seconds) * timeScale).rounded())))], of: queue)
        case .failed:
            guard envelope.failedAttempts < settings.maximumRetryAttempts else {
                await failedForGood(
                    envelope, attempt: attempt, condition: "RetriesExhausted", reason: "every attempt failed",
                    settings: settings, message: message)
                return
            }
            // The next attempt is a new message, delayed 1 minute after the first failure and 2 after the second;
            // the old one goes only once the new one is stored.
            var next = envelope
            next.failedAttempts += 1
            let delay = max(0, Int((60 * Double(next.failedAttempts) * timeScale).rounded()))
            do {
                _ = try await queues.send(
                    OutgoingMessage(body: Self.encode(next), delaySeconds: min(900, delay)), to: queue,
                    senderId: "swiftlet")
                _ = await queues.delete([message.receiptHandle], from: queue)
            } catch {
                logger.error("cannot schedule an event's retry", [("error.message", "\(error)")])
            }
        }
    }

    /// Ends an event that will not be tried again: its record to `OnFailure`, the event to the dead-letter queue,
    /// or, with neither, a warning; then it leaves the queue.
    private func failedForGood(
        _ envelope: Envelope, attempt: Attempt?, condition: String, reason: String, settings: EventSettings,
        message: ReceivedMessage
    ) async {
        if settings.onFailure == nil && settings.deadLetterQueue == nil { dropped(envelope, reason: reason) }
        await record(envelope, attempt: attempt, condition: condition, to: settings.onFailure)
        await deadLetter(envelope, attempt: attempt, to: settings.deadLetterQueue)
        _ = await queues.delete([message.receiptHandle], from: queue)
    }

    /// Sends the invocation record of an event's end to a destination, in AWS's shape: to an SQS queue as a
    /// message, to a function as an event of its own.
    private func record(_ envelope: Envelope, attempt: Attempt?, condition: String, to destination: String?) async {
        guard let destination else { return }
        let failedAttempts = envelope.failedAttempts + (attempt?.outcome == .failed ? 1 : 0)
        let succeeded = attempt?.outcome == .succeeded ? 1 : 0
        var members: [(String, JSONValue?)] = [
            ("version", .string("1.0")),
            ("timestamp", .string(Timestamp.iso8601(Date()))),
            (
                "requestContext",
                .members([
                    ("requestId", .string(envelope.requestId)),
                    (
                        "functionArn",
                        .string(
                            ARN.function(
                                region: envelope.region, account: envelope.accountId, name: envelope.functionName,
                                qualifier: envelope.qualifier ?? "$LATEST"))
                    ),
                    ("condition", .string(condition)),
                    ("approximateInvokeCount", .integer(Int64(failedAttempts + succeeded))),
                ])
            ),
            ("requestPayload", Self.json(envelope.payload)),
        ]
        if let attempt {
            members.append(
                (
                    "responseContext",
                    .members([
                        ("statusCode", .integer(200)), ("executedVersion", .string(attempt.executedVersion)),
                        ("functionError", attempt.functionError.map(JSONValue.string)),
                    ])
                ))
            members.append(("responsePayload", attempt.response.isEmpty ? nil : Self.json(attempt.response)))
        }
        let body = Data(JSONValue.members(members).serialized())
        let parts = destination.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        do throws(AWSError) {
            if parts.count >= 6, parts[2] == "sqs" {
                let target = try queues.queue(arn: destination)
                _ = try await queues.send(
                    OutgoingMessage(body: String(decoding: body, as: UTF8.self)), to: target, senderId: "swiftlet")
            } else if parts.count >= 7, parts[2] == "lambda" {
                let next = Envelope(
                    requestId: Identifier.uuid(), accountId: parts[4], region: parts[3], functionName: parts[6],
                    qualifier: parts.count > 7 ? parts[7] : nil, payload: body,
                    acceptedAt: QueueService.systemClock(), failedAttempts: 0)
                _ = try await queues.send(OutgoingMessage(body: Self.encode(next)), to: queue, senderId: "swiftlet")
            }
        } catch {
            logger.warning(
                "cannot deliver an event's record to its destination",
                [("destination", destination), ("request.id", envelope.requestId), ("error.message", "\(error)")])
        }
    }

    /// Sends a failed event itself to the function's dead-letter queue, with AWS's `RequestID`, `ErrorCode` and
    /// `ErrorMessage` message attributes.
    private func deadLetter(_ envelope: Envelope, attempt: Attempt?, to arn: String?) async {
        guard let arn else { return }
        var message = "the event is older than its maximum age"
        if let attempt, case .object(let members) = Self.json(attempt.response),
            let text = members.first(where: { $0.0 == "errorMessage" })?.1.stringValue
        {
            message = text
        }
        let outgoing = OutgoingMessage(
            body: String(decoding: envelope.payload, as: UTF8.self),
            attributes: [
                "RequestID": MessageAttributeValue(dataType: "String", stringValue: envelope.requestId),
                "ErrorCode": MessageAttributeValue(dataType: "Number", stringValue: "200"),
                "ErrorMessage": MessageAttributeValue(dataType: "String", stringValue: String(message.prefix(1000))),
            ])
        do throws(AWSError) {
            _ = try await queues.send(outgoing, to: try queues.queue(arn: arn), senderId: "swiftlet")
        } catch {
            logger.warning(
                "cannot send a failed event to its dead-letter queue",
                [("queue.arn", arn), ("request.id", envelope.requestId), ("error.message", "\(error)")])
        }
    }

    /// A payload as JSON, or as a string when it is not JSON.
    private static func json(_ data: Data) -> JSONValue {
        (try? JSONValue.parse(data)) ?? .string(String(decoding: data, as: UTF8.self))
    }

    private func dropped(_ envelope: Envelope, reason: String) {
        logger.warning(
            "asynchronous event dropped because \(reason)",
            [
                ("function.name", envelope.functionName), ("request.id", envelope.requestId),
                ("event.failed_attempts", "\(envelope.failedAttempts)"),
            ])
    }

    // MARK: - Envelope

    static func encode(_ envelope: Envelope) -> String {
        let document = JSONValue.members([
            ("id", .string(envelope.requestId)), ("account", .string(envelope.accountId)),
            ("region", .string(envelope.region)), ("function", .string(envelope.functionName)),
            ("qualifier", envelope.qualifier.map(JSONValue.string)),
            ("payload", .string(envelope.payload.base64EncodedString())),
            ("acceptedAt", .integer(envelope.acceptedAt)), ("failedAttempts", .integer(Int64(envelope.failedAttempts))),
        ])
        return String(decoding: document.serialized(), as: UTF8.self)
    }

    static func decode(_ body: String) -> Envelope? {
        guard case .object(let members) = try? JSONValue.parse(Data(body.utf8)) else { return nil }
        let fields = Dictionary(members, uniquingKeysWith: { first, _ in first })
        guard let id = fields["id"]?.stringValue, let account = fields["account"]?.stringValue,
            let region = fields["region"]?.stringValue, let function = fields["function"]?.stringValue,
            let payload = fields["payload"]?.stringValue.flatMap({ Data(base64Encoded: $0) }),
            case .integer(let acceptedAt) = fields["acceptedAt"]
        else { return nil }
        var failedAttempts = 0
        if case .integer(let count) = fields["failedAttempts"] { failedAttempts = Int(count) }
        return Envelope(
            requestId: id, accountId: account, region: region, functionName: function,
            qualifier: fields["qualifier"]?.stringValue, payload: payload, acceptedAt: acceptedAt,
            failedAttempts: failedAttempts)
    }
}
