import Dispatch
import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletSystem
import Synchronization

/// What idle environments cost the node: the memory budget and eviction, freezing, and the idle reaper.
extension Scheduler {
    /// Megabytes the node's environments hold now.
    public var committedMemory: Int { committedMemoryMB.load(ordering: .relaxed) }

    /// Counts `megabytes` against the budget, evicting idle environments to make room; throws ``NodeAtCapacity``
    /// when even that is not enough.
    // Limitation: the memory budget counts MemorySize, not use.
    func admitMemory(_ megabytes: Int) throws {
        guard let budget = configuration.memoryBudgetMB else {
            committedMemoryMB.add(megabytes, ordering: .relaxed)
            return
        }
        for attempt in 0..<2 {
            var current = committedMemoryMB.load(ordering: .relaxed)
            while current + megabytes <= budget {
                let (exchanged, original) = committedMemoryMB.compareExchange(
                    expected: current, desired: current + megabytes, ordering: .relaxed)
                if exchanged { return }
                current = original
            }
            if attempt == 0 { evictIdle(toFree: current + megabytes - budget) }
        }
        throw NodeAtCapacity(budgetMB: budget)
    }

    func releaseMemory(of environment: Environment) {
        guard environment.holdsMemory.exchange(false, ordering: .relaxed) else { return }
        committedMemoryMB.subtract(environment.pool.configuration.memorySize, ordering: .relaxed)
    }

    /// Stops idle on-demand environments, least recently used first, until `megabytes` are freed or none is left.
    private func evictIdle(toFree megabytes: Int) {
        var candidates: [(since: UInt64, pool: EnvironmentPool, id: String)] = []
        for shard in pools {
            for pool in shard.pools.withLock({ Array($0.values) }) {
                pool.state.withLock { state in
                    for id in state.idle {
                        guard let slot = state.slots[id], slot.phase == .idle, !slot.provisioned else { continue }
                        candidates.append((slot.idleSince, pool, id))
                    }
                }
            }
        }
        var freed = 0
        for candidate in candidates.sorted(by: { $0.since < $1.since }) where freed < megabytes {
            let taken = candidate.pool.state.withLock { state -> (Environment, HTTPResponder?)? in
                guard var slot = state.slots[candidate.id], slot.phase == .idle else { return nil }
                state.idle.removeAll { $0 == candidate.id }
                let next = slot.heldNext
                slot.heldNext = nil
                slot.phase = .dead
                state.slots[candidate.id] = slot
                return (slot.environment, next)
            }
            guard let (environment, next) = taken else { continue }
            logger.debug("evicting idle environment for memory", [("env.id", environment.id)])
            releaseMemory(of: environment)
            stop(environment, heldNext: next)
            freed += candidate.pool.configuration.memorySize
        }
    }

    /// Freezes environments idle for longer than `seconds`. Freezing happens under the pool's lock, as thawing does
    /// when an invocation takes the environment, so an environment is never handed an event while frozen.
    func freezeIdle(olderThan seconds: TimeInterval) {
        let threshold = DispatchTime.now().uptimeNanoseconds - UInt64(seconds * 1_000_000_000)
        for shard in pools {
            for pool in shard.pools.withLock({ Array($0.values) }) {
                pool.state.withLock { state in
                    for id in state.idle {
                        guard var slot = state.slots[id], slot.phase == .idle, !slot.frozen, !slot.unfreezable,
                            slot.idleSince < threshold, let sandboxed = slot.environment.sandboxed
                        else { continue }
                        // An environment whose sandbox cannot freeze is not asked again.
                        slot.frozen = sandboxed.freeze()
                        slot.unfreezable = !slot.frozen
                        state.slots[id] = slot
                    }
                }
            }
        }
    }

    /// Stops environments idle for longer than the idle timeout.
    func reapIdle() {
        let threshold = DispatchTime.now().uptimeNanoseconds - UInt64(configuration.idleTimeout * 1_000_000_000)
        var expired: [(Environment, HTTPResponder?)] = []
        for shard in pools {
            let snapshot = shard.pools.withLock { Array($0.values) }
            for pool in snapshot {
                pool.state.withLock { state in
                    state.idle.removeAll { id in
                        guard var slot = state.slots[id], slot.phase == .idle, !slot.provisioned,
                            slot.idleSince < threshold
                        else {
                            return false
                        }
                        expired.append((slot.environment, slot.heldNext))
                        slot.heldNext = nil
                        slot.phase = .dead
                        state.slots[id] = slot
                        return true
                    }
                }
            }
        }
        for (environment, next) in expired {
            logger.debug("stopping idle environment", [("env.id", environment.id)])
            stop(environment, heldNext: next)
        }
    }
}

/// The node's memory budget has no room for another environment, even after evicting the idle ones.
struct NodeAtCapacity: Error, CustomStringConvertible {
    let budgetMB: Int
    var description: String { "the node's \(budgetMB) MB memory budget for environments is in use" }
}
