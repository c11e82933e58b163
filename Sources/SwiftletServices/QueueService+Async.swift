import SwiftletModel
import SwiftletStore

/// The queue service for Swift concurrency: event sources and destinations inside the node await these instead
/// of passing completions. None of them blocks a thread while it waits.
extension QueueService {
    /// Sends one message and returns what a producer is told once it is stored.
    /// - Throws: the refusal of the message or `QueueDoesNotExist`.
    public func send(
        _ message: OutgoingMessage, to queue: ManagedQueue, senderId: String
    ) async throws(AWSError)
        -> SentMessage
    {
        let results = await withCheckedContinuation { continuation in
            send([message], to: queue, senderId: senderId) { continuation.resume(returning: $0) }
        }
        return try results[0].get()
    }

    /// Receives up to `request.maxMessages` messages, waiting up to `request.waitSeconds` for the first.
    /// - Throws: `QueueDoesNotExist`, or a storage failure.
    public func receive(
        from queue: ManagedQueue, _ request: ReceiveRequest
    ) async throws(AWSError)
        -> [ReceivedMessage]
    {
        let result = await withCheckedContinuation { continuation in
            receive(from: queue, request) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    /// Deletes messages by receipt handle; one result per handle.
    public func delete(_ receiptHandles: [String], from queue: ManagedQueue) async -> [Result<Void, AWSError>] {
        await withCheckedContinuation { continuation in
            delete(receiptHandles, from: queue) { continuation.resume(returning: $0) }
        }
    }

    /// Changes the visibility of in-flight messages; one result per entry.
    public func changeVisibility(
        _ entries: [(receiptHandle: String, seconds: Int)], of queue: ManagedQueue
    ) async -> [Result<Void, AWSError>] {
        await withCheckedContinuation { continuation in
            changeVisibility(entries, of: queue) { continuation.resume(returning: $0) }
        }
    }
}
