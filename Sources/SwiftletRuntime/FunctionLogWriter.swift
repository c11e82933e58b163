import Dispatch
import Foundation
import SwiftletStore
import SwiftletSystem
import Synchronization

/// Collects log lines from every environment and writes them to the log store in batches, off the invoke path:
/// one transaction per flush, every `interval` or once `maxPending` lines wait.
public final class FunctionLogWriter: Sendable {
    private struct StreamKey: Hashable {
        var accountId: String
        var region: String
        var group: String
        var stream: String
    }

    private let store: any LogStore
    private let logger: Logger
    /// Lines waiting, sharded by stream so that environments logging at once rarely meet on one lock.
    private let shards: [Shard]
    private static let shardCount = 16
    private let pendingCount = Atomic<Int>(0)
    private let queue = DispatchQueue(label: "swiftlet.logs.writer")
    /// Dispatch sources are safe to use from any thread.
    nonisolated(unsafe) private let timer: DispatchSourceTimer
    private let maxPending: Int

    private final class Shard: Sendable {
        let pending = Mutex<[StreamKey: [LogLine]]>([:])
    }

    public init(
        store: any LogStore, logger: Logger, interval: DispatchTimeInterval = .milliseconds(100),
        maxPending: Int = 2000
    ) {
        self.store = store
        self.logger = logger
        self.maxPending = maxPending
        shards = (0..<Self.shardCount).map { _ in Shard() }
        timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [weak self] in self?.flushNow() }
        timer.resume()
    }

    /// Queues lines for a stream.
    public func append(accountId: String, region: String, group: String, stream: String, lines: [LogLine]) {
        guard !lines.isEmpty else { return }
        let key = StreamKey(accountId: accountId, region: region, group: group, stream: stream)
        let shard = shards[Int(UInt(bitPattern: stream.hashValue) % UInt(Self.shardCount))]
        shard.pending.withLock { $0[key, default: []].append(contentsOf: lines) }
        if pendingCount.add(lines.count, ordering: .relaxed).newValue >= maxPending {
            queue.async { [weak self] in self?.flushNow() }
        }
    }

    /// Writes everything queued so far and returns once it is stored.
    public func flush() {
        queue.sync { flushNow() }
    }

    /// Stops the timer after a last flush.
    public func close() {
        flush()
        timer.cancel()
    }

    private func flushNow() {
        var batches: [StreamKey: [LogLine]] = [:]
        for shard in shards {
            let taken = shard.pending.withLock { pending -> [StreamKey: [LogLine]] in
                let taken = pending
                pending.removeAll(keepingCapacity: true)
                return taken
            }
            batches.merge(taken) { $0 + $1 }
        }
        guard !batches.isEmpty else { return }
        let count = batches.values.reduce(0) { $0 + $1.count }
        pendingCount.subtract(count, ordering: .relaxed)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        do {
            try store.append(
                batches.map {
                    LogBatch(
                        accountId: $0.key.accountId, region: $0.key.region, group: $0.key.group,
                        stream: $0.key.stream, events: $0.value)
                }, ingestionTime: now)
        } catch {
            logger.error("function logs lost", [("log.lines", "\(count)"), ("error.message", "\(error)")])
        }
    }
}
