import Foundation
import SwiftletModel
import SwiftletServices
import SwiftletSystem
import Synchronization

/// Reads the SQS queues of enabled event source mappings and invokes their functions with batches of messages.
///
/// A batch's life:
///
///     gathered (received, in flight) ──filtered out─────────────────────────► deleted
///          │
///          └──invoked──┬──success───────────────────────────────────────────► deleted
///                      ├──success, some items reported failed──► those left in flight, the others deleted
///                      ├──function error, or an unusable failure report──► all left in flight
///                      └──throttled──────────────────────────────► all hidden again briefly (backoff)
///
/// Messages left in flight come back once their visibility timeout passes, and the queue's redrive policy moves a
/// message received more than `maxReceiveCount` times to its dead-letter queue. FIFO queues hand out no message of
/// a group while an earlier one is in flight, so order per group holds however many batches run at once.
///
/// Each mapping starts with one worker. A worker that gathers a full batch starts another, at most one every
/// ``workerGrowthInterval`` and up to the mapping's maximum concurrency; a worker that finds the queue empty, or is
/// throttled, retires unless it is the last.
public final class EventSourcePollers: Sendable {
    /// How one invocation of a batch ended.
    enum BatchOutcome: Sendable, Equatable {
        /// The function ran; `functionError` is set when it failed.
        case ran(response: Data, functionError: String?)
        /// A concurrency limit or the node's capacity refused the invocation.
        case throttled
        /// The function (or the version or alias the mapping names) does not exist.
        case functionMissing
    }

    /// Invokes a mapping's function with an event and says how it went.
    typealias Invoker = @Sendable (EventSourceMapping, Data) async -> BatchOutcome

    /// Holds the invoker in its own type: kept in a generic container, a closure is read back through a
    /// reabstraction thunk, which for an async closure costs a task allocation on every call.
    final class InvokerBox: Sendable {
        let invoke: Invoker
        init(invoke: @escaping Invoker) { self.invoke = invoke }
    }

    /// Batches a mapping runs at once when its `ScalingConfig` sets no maximum; the function's reserved and the
    /// account's concurrency still bound it.
    static let defaultMaximumConcurrency = 1_000
    /// Largest event payload: a synchronous invocation's limit.
    static let maximumPayloadBytes = 6 * 1024 * 1024
    /// Least time between two workers added to one mapping. Each new worker soon needs an environment of its own,
    /// so growing at most ten a second keeps a backlog from turning into hundreds of simultaneous cold starts.
    static let workerGrowthInterval = Duration.milliseconds(100)
    /// Seconds a worker waits for a message before looking again (and noticing that it was stopped).
    static let pollSeconds = 1

    let queues: QueueService
    let logger: Logger
    private let pollers = Mutex<[String: Poller]>([:])
    private let invoker = Mutex<InvokerBox?>(nil)

    /// Pollers over `queues`, invoking nothing until ``start(_:invoker:)``.
    public init(queues: QueueService, logger: Logger) {
        self.queues = queues
        self.logger = logger
    }

    /// Starts polling for every enabled mapping in `mappings`, invoking through `invoker`.
    func start(_ mappings: [EventSourceMapping], invoker: @escaping Invoker) {
        self.invoker.withLock { $0 = InvokerBox(invoke: invoker) }
        for mapping in mappings { apply(mapping) }
    }

    /// Starts, restarts or stops a mapping's polling to match its stored form. A batch being run finishes.
    func apply(_ mapping: EventSourceMapping) {
        let next = mapping.enabled && invoker.withLock({ $0 }) != nil ? Poller(mapping) : nil
        let previous = pollers.withLock { pollers in
            let previous = pollers[mapping.uuid]
            pollers[mapping.uuid] = next
            return previous
        }
        previous?.stop()
        if let next { spawnWorker(next, force: true) }
    }

    /// Stops a deleted mapping's polling.
    func remove(uuid: String) {
        pollers.withLock { $0.removeValue(forKey: uuid) }?.stop()
    }

    /// Stops every mapping; messages in flight come back after their visibility timeout.
    public func stop() {
        let all = pollers.withLock { pollers in
            defer { pollers.removeAll() }
            return Array(pollers.values)
        }
        for poller in all { poller.stop() }
    }

    /// `LastProcessingResult` of a mapping: how its last batch went, or `No records processed`.
    func lastProcessingResult(uuid: String) -> String {
        pollers.withLock { $0[uuid] }?.lastResult.withLock { $0 } ?? "No records processed"
    }

    // MARK: - Workers

    /// One enabled mapping's polling: its settings as they were when it started, and its workers.
    final class Poller: Sendable {
        let mapping: EventSourceMapping
        let patterns: [EventFilterPattern]
        let stopped = Atomic<Bool>(false)
        /// Workers running, and when the last one was added.
        let workers = Mutex<(count: Int, lastAdded: ContinuousClock.Instant?)>((0, nil))
        let lastResult = Mutex<String>("No records processed")

        init(_ mapping: EventSourceMapping) {
            self.mapping = mapping
            // Patterns were checked when the mapping was stored.
            patterns = mapping.filterPatterns.compactMap { try? EventFilterPattern(parsing: $0) }
        }

        var maximumWorkers: Int { mapping.maximumConcurrency ?? EventSourcePollers.defaultMaximumConcurrency }

        func stop() { stopped.store(true, ordering: .relaxed) }

        /// Leaves the pool unless this is the last worker; true when it left.
        func retireIfExtra() -> Bool {
            workers.withLock { workers in
                guard workers.count > 1 else { return false }
                workers.count -= 1
                return true
            }
        }
    }

    /// Adds a worker to `poller` when there is room and the last one came long enough ago (always with `force`,
    /// for the first).
    private func spawnWorker(_ poller: Poller, force: Bool = false) {
        let now = ContinuousClock.now
        let admitted = poller.workers.withLock { workers in
            if !force {
                guard workers.count < poller.maximumWorkers else { return false }
                if let last = workers.lastAdded, now - last < Self.workerGrowthInterval { return false }
            }
            workers.count += 1
            workers.lastAdded = now
            return true
        }
        guard admitted else { return }
        Task.detached { [self] in await work(poller) }
    }

    private func work(_ poller: Poller) async {
        defer { poller.workers.withLock { $0.count -= 1 } }
        let mapping = poller.mapping
        while !poller.stopped.load(ordering: .relaxed) {
            guard let invoke = invoker.withLock({ $0 })?.invoke else { return }
            let queue: ManagedQueue
            do {
                queue = try queues.queue(arn: mapping.eventSourceArn)
            } catch {
                poller.lastResult.withLock { $0 = "PROBLEM: The queue \(mapping.eventSourceArn) does not exist." }
                if poller.retireIfExtra() { return }
                try? await Task.sleep(nanoseconds: 5_000_000_000)
                continue
            }
            let batch = await gather(poller, from: queue)
            // A mapping disabled or deleted while its worker waited hands what it just received back at once.
            if poller.stopped.load(ordering: .relaxed) {
                if !batch.isEmpty {
                    _ = await queues.changeVisibility(batch.map { ($0.message.receiptHandle, 0) }, of: queue)
                }
                return
            }
            guard !batch.isEmpty else {
                if poller.retireIfExtra() { return }
                continue
            }
            if batch.count >= min(10, mapping.batchSize) { spawnWorker(poller) }
            let throttled = await process(batch, of: poller, from: queue, invoke: invoke)
            if throttled {
                if poller.retireIfExtra() { return }
                try? await Task.sleep(nanoseconds: 1_000_000_000)
            }
        }
    }

    /// A received message with its record, as filters see it and as the event will carry it.
    struct Gathered {
        var message: ReceivedMessage
        var record: JSONValue
        var serialized: [UInt8]
    }

    /// Receives up to the batch size, for up to the batching window, and no more than a payload can carry (counted
    /// from the records as they will be written). A message that would overflow the payload is made visible again
    /// for the next batch.
    private func gather(_ poller: Poller, from queue: ManagedQueue) async -> [Gathered] {
        let mapping = poller.mapping
        let window = Double(mapping.maximumBatchingWindowInSeconds)
        let deadline = Date().addingTimeInterval(window)
        var batch: [Gathered] = []
        // `{"Records":[` and `]}` less the comma the first record does not need.
        var bytes = 13
        while !poller.stopped.load(ordering: .relaxed) {
            let remaining = deadline.timeIntervalSinceNow
            let wait = batch.isEmpty ? max(Self.pollSeconds, Int(remaining.rounded(.up))) : Int(remaining.rounded(.up))
            let request = ReceiveRequest(
                maxMessages: min(10, mapping.batchSize - batch.count), waitSeconds: max(0, min(20, wait)))
            let received: [ReceivedMessage]
            do {
                received = try await queues.receive(from: queue, request)
            } catch {
                break
            }
            var overflow: [ReceivedMessage] = []
            for message in received {
                let record = SQSEvent.record(message, queueArn: queue.arn, region: queue.region)
                let serialized = record.serialized()
                if overflow.isEmpty && bytes + serialized.count + 1 <= Self.maximumPayloadBytes {
                    batch.append(Gathered(message: message, record: record, serialized: serialized))
                    bytes += serialized.count + 1
                } else {
                    overflow.append(message)
                }
            }
            if !overflow.isEmpty {
                _ = await queues.changeVisibility(overflow.map { ($0.receiptHandle, 0) }, of: queue)
                break
            }
            // With no window, invoke with what the first receive brought; with one, keep gathering until it ends.
            if batch.count >= mapping.batchSize || window == 0 || deadline.timeIntervalSinceNow <= 0 { break }
        }
        return batch
    }

    /// Filters, invokes and settles one batch. Returns true when the invocation was throttled.
    private func process(
        _ batch: [Gathered], of poller: Poller, from queue: ManagedQueue, invoke: Invoker
    ) async -> Bool {
        let mapping = poller.mapping
        var records: [[UInt8]] = []
        var included: [ReceivedMessage] = []
        var filteredOut: [String] = []
        for item in batch {
            if EventFilterPattern.matchesAny(poller.patterns, record: item.record, body: item.message.record.body) {
                records.append(item.serialized)
                included.append(item.message)
            } else {
                filteredOut.append(item.message.receiptHandle)
            }
        }
        // Messages no filter lets through are consumed unseen, as AWS does for SQS.
        if !filteredOut.isEmpty { _ = await queues.delete(filteredOut, from: queue) }
        guard !included.isEmpty else { return false }

        switch await invoke(mapping, SQSEvent.payload(records)) {
        case .throttled:
            poller.lastResult.withLock { $0 = "PROBLEM: Function call throttled." }
            let backoff = included.map { ($0.receiptHandle, min(queue.settings.visibilityTimeout, 2)) }
            _ = await queues.changeVisibility(backoff, of: queue)
            return true
        case .functionMissing:
            poller.lastResult.withLock { $0 = "PROBLEM: Function not found." }
            // The messages come back after their visibility timeout; a function created again will get them.
            return true
        case .ran(_, let functionError?):
            poller.lastResult.withLock { $0 = "PROBLEM: Function call failed." }
            logger.debug(
                "batch failed; its messages return after their visibility timeout",
                [("mapping.uuid", mapping.uuid), ("function.error", functionError), ("batch.size", "\(batch.count)")])
            return false
        case .ran(let response, nil):
            var done = included
            if mapping.reportsBatchItemFailures {
                guard let failed = SQSEvent.failedItems(in: response, batch: Set(included.map(\.record.messageId)))
                else {
                    poller.lastResult.withLock { $0 = "PROBLEM: Function response could not be parsed." }
                    return false
                }
                done.removeAll { failed.contains($0.record.messageId) }
            }
            poller.lastResult.withLock { $0 = "OK" }
            if !done.isEmpty {
                for (index, result) in await queues.delete(done.map(\.receiptHandle), from: queue).enumerated() {
                    if case .failure(let error) = result {
                        logger.warning(
                            "cannot delete a processed message; it will be delivered again",
                            [
                                ("mapping.uuid", mapping.uuid), ("message.id", done[index].record.messageId),
                                ("error.message", "\(error)"),
                            ])
                    }
                }
            }
            return false
        }
    }
}
