import Foundation
import SwiftletModel
import SwiftletStore
import SwiftletSystem

extension QueueService {
    /// Sends messages to a queue. Each is checked on its own; the accepted ones are stored in one submission and
    /// become receivable once stored.
    /// - Parameters:
    ///   - senderId: the `SenderId` attribute the messages carry.
    ///   - completion: one result per message, in order: what the producer is told, or why the message was
    ///     refused (`InvalidMessageContents`, `InvalidParameterValue`, `MissingParameter`).
    public func send(
        _ messages: [OutgoingMessage], to queue: ManagedQueue, senderId: String,
        completion: @escaping @Sendable ([Result<SentMessage, AWSError>]) -> Void
    ) {
        let now = clock()
        var results: [Result<SentMessage, AWSError>] = []
        var changes: [QueueChange] = []
        var accepted: [MessageRecord] = []
        let deleted = queue.inner.withLock { inner -> Bool in
            guard !inner.deleted else { return true }
            for message in messages {
                do throws(AWSError) {
                    try MessageValidation.check(message, settings: inner.state.settings)
                } catch {
                    results.append(.failure(error))
                    continue
                }
                let id = nextMessageId.add(1, ordering: .relaxed).oldValue
                switch inner.state.prepareSend(
                    message, id: id, messageId: Identifier.uuid(), senderId: senderId, now: now)
                {
                case .duplicate(let sent): results.append(.success(sent))
                case .accepted(let record, let recordChanges, let sent):
                    accepted.append(record)
                    changes.append(contentsOf: recordChanges)
                    results.append(.success(sent))
                }
            }
            // Submitted under the lock, so that the store records sends in the order their sequence numbers say.
            if !changes.isEmpty { submitSend(changes, accepted, queue, results, completion) }
            return false
        }
        if deleted {
            completion(messages.map { _ in .failure(.queueDoesNotExist) })
        } else if changes.isEmpty {
            completion(results)
        }
    }

    private func submitSend(
        _ changes: [QueueChange], _ accepted: [MessageRecord], _ queue: ManagedQueue,
        _ results: [Result<SentMessage, AWSError>],
        _ completion: @escaping @Sendable ([Result<SentMessage, AWSError>]) -> Void
    ) {
        persist(changes) { result in
            switch result {
            case .success:
                self.insert(accepted, into: queue)
                completion(results)
            case .failure(let error):
                let ids = Set(accepted.map(\.messageId))
                queue.inner.withLock { inner in
                    inner.state.deduplications = inner.state.deduplications.filter { !ids.contains($0.value.messageId) }
                }
                completion(
                    results.map { result in
                        if case .success(let sent) = result, ids.contains(sent.messageId) { return .failure(error) }
                        return result
                    })
            }
        }
    }

    /// Adds stored messages to a queue's memory and serves the receives waiting on it.
    func insert(_ records: [MessageRecord], into queue: ManagedQueue) {
        let now = clock()
        queue.inner.withLock { inner in
            guard !inner.deleted else { return }
            for record in records { inner.state.insert(record, now: now) }
        }
        serveWaiters(of: queue)
    }

    /// Deletes the messages receipt handles name. A handle of a message already deleted succeeds.
    /// - Parameter completion: one result per handle, in order: done, or `ReceiptHandleIsInvalid`.
    public func delete(
        _ receiptHandles: [String], from queue: ManagedQueue,
        completion: @escaping @Sendable ([Result<Void, AWSError>]) -> Void
    ) {
        var results: [Result<Void, AWSError>] = []
        var changes: [QueueChange] = []
        queue.inner.withLock { inner in
            for handle in receiptHandles {
                do throws(AWSError) {
                    if let change = try inner.state.delete(handle) { changes.append(change) }
                    results.append(.success(()))
                } catch {
                    results.append(.failure(error))
                }
            }
            if !changes.isEmpty { finish(changes, results, completion) }
        }
        if changes.isEmpty { completion(results) }
    }

    /// Changes how long in-flight messages stay hidden, counted from now.
    /// - Parameter completion: one result per entry, in order: done, or `ReceiptHandleIsInvalid`,
    ///   `MessageNotInflight`, `InvalidParameterValue` (timeout out of range).
    public func changeVisibility(
        _ entries: [(receiptHandle: String, seconds: Int)], of queue: ManagedQueue,
        completion: @escaping @Sendable ([Result<Void, AWSError>]) -> Void
    ) {
        let now = clock()
        var results: [Result<Void, AWSError>] = []
        var changes: [QueueChange] = []
        var revealed = false
        queue.inner.withLock { inner in
            for entry in entries {
                do throws(AWSError) {
                    guard (0...SQSWire.maxVisibilityTimeout).contains(entry.seconds) else {
                        throw .sqsInvalidValue(
                            "\(entry.seconds)", parameter: "VisibilityTimeout",
                            "VisibilityTimeout must be an integer between 0 and \(SQSWire.maxVisibilityTimeout)")
                    }
                    changes.append(
                        try inner.state.changeVisibility(entry.receiptHandle, seconds: entry.seconds, now: now))
                    revealed = revealed || entry.seconds == 0
                    results.append(.success(()))
                } catch {
                    results.append(.failure(error))
                }
            }
            if !changes.isEmpty { finish(changes, results, completion) }
        }
        if changes.isEmpty { completion(results) }
        if revealed || !changes.isEmpty { scheduleWake(of: queue) }
        if revealed { serveWaiters(of: queue) }
    }

    /// Stores `changes`, then answers `results`, or the storage failure for each success.
    private func finish(
        _ changes: [QueueChange], _ results: [Result<Void, AWSError>],
        _ completion: @escaping @Sendable ([Result<Void, AWSError>]) -> Void
    ) {
        persist(changes) { stored in
            switch stored {
            case .success: completion(results)
            case .failure(let error): completion(results.map { $0.flatMap { .failure(error) } })
            }
        }
    }
}
