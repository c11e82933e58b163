import Dispatch
import SwiftletModel
import SwiftletStore

/// How one receive asks for messages.
public struct ReceiveRequest: Sendable {
    /// 1 to 10.
    public var maxMessages: Int
    /// Seconds the messages stay hidden; nil takes the queue's `VisibilityTimeout`.
    public var visibilityTimeout: Int?
    /// Seconds to wait for a message when none is visible (long polling); nil takes the queue's
    /// `ReceiveMessageWaitTimeSeconds`.
    public var waitSeconds: Int?

    /// A request for up to `maxMessages`.
    public init(maxMessages: Int = 1, visibilityTimeout: Int? = nil, waitSeconds: Int? = nil) {
        self.maxMessages = maxMessages
        self.visibilityTimeout = visibilityTimeout
        self.waitSeconds = waitSeconds
    }
}

extension QueueService {
    /// Receives messages without holding a thread: when none is visible and the request may wait, the receive is
    /// parked until a message arrives or becomes visible, or the wait ends (then with no messages).
    /// - Parameter completion: the messages once their receive is stored, or `QueueDoesNotExist`.
    /// - Returns: a token for ``cancelReceive(_:on:)`` when the receive waits, nil when it was answered.
    @discardableResult
    public func receive(
        from queue: ManagedQueue, _ request: ReceiveRequest,
        completion: @escaping @Sendable (Result<[ReceivedMessage], AWSError>) -> Void
    ) -> UInt64? {
        let deadLetterQueue = deadLetterQueue(of: queue)
        let now = clock()
        var answerNow: Result<[ReceivedMessage], AWSError>?
        let token = queue.inner.withLock { inner -> UInt64? in
            guard !inner.deleted else {
                answerNow = .failure(.queueDoesNotExist)
                return nil
            }
            let settings = inner.state.settings
            let outcome = inner.state.receive(
                max: request.maxMessages, visibilityTimeout: request.visibilityTimeout ?? settings.visibilityTimeout,
                now: now, deadLetterQueueId: deadLetterQueue?.id)
            let wait = request.waitSeconds ?? settings.receiveWaitSeconds
            guard outcome.delivered.isEmpty && wait > 0 else {
                if outcome.changes.isEmpty {
                    answerNow = .success([])
                } else {
                    deliver(outcome, deadLetterQueue, completion)
                }
                return nil
            }
            deliver(outcome, deadLetterQueue, nil)
            let token = nextWaiterToken.add(1, ordering: .relaxed).oldValue
            inner.waiters.append(
                ManagedQueue.Waiter(
                    token: token, maxMessages: request.maxMessages, visibilityTimeout: request.visibilityTimeout,
                    deadline: now + Int64(wait) * 1000, completion: completion))
            return token
        }
        if let answerNow { completion(answerNow) }
        if let token {
            let wait = request.waitSeconds ?? queue.settings.receiveWaitSeconds
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(wait)) { self.serveWaiters(of: queue) }
            scheduleWake(of: queue)
            return token
        }
        return nil
    }

    /// Withdraws a waiting receive (its client went away); its completion is not called.
    public func cancelReceive(_ token: UInt64, on queue: ManagedQueue) {
        queue.inner.withLock { inner in inner.waiters.removeAll { $0.token == token } }
    }

    /// The dead-letter queue of a queue's redrive policy, when both exist.
    func deadLetterQueue(of queue: ManagedQueue) -> ManagedQueue? {
        guard let redrive = queue.settings.redrive else { return nil }
        return try? self.queue(arn: redrive.deadLetterTargetArn)
    }

    /// Stores what a receive decided, moves redriven messages into the dead-letter queue, then answers.
    private func deliver(
        _ outcome: ReceiveOutcome, _ deadLetterQueue: ManagedQueue?,
        _ completion: (@Sendable (Result<[ReceivedMessage], AWSError>) -> Void)?
    ) {
        guard !outcome.changes.isEmpty else { return }
        persist(outcome.changes) { stored in
            if case .success = stored, !outcome.moved.isEmpty, let deadLetterQueue {
                self.insert(outcome.moved, into: deadLetterQueue)
            }
            completion?(stored.map { outcome.delivered })
        }
    }

    /// Answers the waiting receives that messages can now satisfy, oldest first, and those whose wait ended.
    func serveWaiters(of queue: ManagedQueue) {
        let deadLetterQueue = deadLetterQueue(of: queue)
        let now = clock()
        var timedOut: [ManagedQueue.Waiter] = []
        let stillWaiting = queue.inner.withLock { inner -> Bool in
            var remaining: [ManagedQueue.Waiter] = []
            var exhausted = false
            for waiter in inner.waiters {
                // A few milliseconds of slack: the deadline timer runs on the monotonic clock, `now` on the wall
                // clock, and a waiter the timer left behind would have no timer left.
                if waiter.deadline <= now + 10 {
                    timedOut.append(waiter)
                    continue
                }
                if exhausted {
                    remaining.append(waiter)
                    continue
                }
                let outcome = inner.state.receive(
                    max: waiter.maxMessages,
                    visibilityTimeout: waiter.visibilityTimeout ?? inner.state.settings.visibilityTimeout, now: now,
                    deadLetterQueueId: deadLetterQueue?.id)
                if outcome.delivered.isEmpty {
                    exhausted = true
                    remaining.append(waiter)
                    deliver(outcome, deadLetterQueue, nil)
                } else {
                    deliver(outcome, deadLetterQueue, waiter.completion)
                }
            }
            inner.waiters = remaining
            return !remaining.isEmpty
        }
        for waiter in timedOut { waiter.completion(.success([])) }
        if stillWaiting { scheduleWake(of: queue) }
    }

    /// Schedules a look at the queue when its next hidden message becomes visible, if receives wait for it.
    func scheduleWake(of queue: ManagedQueue) {
        let now = clock()
        let wake = queue.inner.withLock { inner -> Int64? in
            guard let latest = inner.waiters.map(\.deadline).max(), let wake = inner.state.nextWake(after: now),
                wake < latest
            else { return nil }
            if let scheduled = inner.scheduledWake, scheduled > now, scheduled <= wake { return nil }
            inner.scheduledWake = wake
            return wake
        }
        guard let wake else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(wake - now))) {
            queue.inner.withLock { inner in
                if inner.scheduledWake == wake { inner.scheduledWake = nil }
            }
            self.serveWaiters(of: queue)
        }
    }
}
