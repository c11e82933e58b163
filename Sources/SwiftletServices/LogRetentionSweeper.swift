import Dispatch
import SwiftletStore
import SwiftletSystem
import Synchronization

/// Enforces log retention: every `interval` it asks the store to delete the events older than their group's
/// retention. Runs on its own serial queue; ``start()`` and ``stop()`` may be called from any thread.
public final class LogRetentionSweeper: Sendable {
    private let store: any LogStore
    private let interval: DispatchTimeInterval
    private let logger: Logger
    private let clock: @Sendable () -> Int64
    private let queue = DispatchQueue(label: "swiftlet.logs.retention")
    /// The running timer, nil while stopped.
    private let timer = Mutex<(any DispatchSourceTimer)?>(nil)

    /// Creates a stopped sweeper.
    /// - Parameters:
    ///   - store: the store whose events expire.
    ///   - interval: time between sweeps; an hour by default, since retention is counted in days.
    ///   - logger: receives a line per sweep that deleted something, and failures.
    ///   - clock: the current time in milliseconds since the epoch.
    public init(
        store: any LogStore, interval: DispatchTimeInterval = .seconds(3600), logger: Logger,
        clock: @escaping @Sendable () -> Int64 = LogsAPI.systemClock
    ) {
        self.store = store
        self.interval = interval
        self.logger = logger
        self.clock = clock
    }

    deinit {
        stop()
    }

    /// Sweeps now, then every interval. Calling it while running does nothing.
    public func start() {
        timer.withLock { timer in
            guard timer == nil else { return }
            let source = DispatchSource.makeTimerSource(queue: queue)
            source.schedule(deadline: .now(), repeating: interval, leeway: .seconds(1))
            source.setEventHandler { [weak self] in self?.sweep() }
            source.resume()
            timer = source
        }
    }

    /// Stops the timer; a sweep already running finishes.
    public func stop() {
        let source = timer.withLock { timer in
            defer { timer = nil }
            return timer
        }
        source?.cancel()
    }

    /// Deletes the expired events now and returns how many; 0 when the store failed, which is logged.
    @discardableResult
    public func sweep() -> Int {
        do {
            let deleted = try store.expireEvents(now: clock())
            if deleted > 0 { logger.info("expired log events deleted", [("logs.deleted", String(deleted))]) }
            return deleted
        } catch {
            logger.error("log retention sweep failed", [("error", "\(error)")])
            return 0
        }
    }
}
