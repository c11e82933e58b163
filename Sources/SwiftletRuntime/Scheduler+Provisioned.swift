import Dispatch
import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletSystem
import Synchronization

/// Provisioned concurrency: environments of published versions kept initialized ahead of invocations.
extension Scheduler {
    /// Keeps, for each published version listed, that many environments initialized ahead of invocations, and none
    /// for the function's other versions. Environments beyond a lowered target become on-demand ones.
    public func provision(
        accountId: String, region: String, name: String, routesOutside: Bool,
        targets: [(configuration: FunctionConfiguration, count: Int)]
    ) {
        let wanted = targets.map { target in
            let pool = pool(
                accountId: accountId, region: region, configuration: target.configuration, routesOutside: routesOutside)
            return (pool, target.count)
        }
        let keys = Set(wanted.map(\.0.key))
        for pool in pools(withPrefix: Self.poolPrefix(accountId: accountId, region: region, name: name))
        where !keys.contains(pool.key) {
            adjustProvisioned(pool, to: 0)
        }
        for (pool, count) in wanted { adjustProvisioned(pool, to: count) }
    }

    /// Provisioned environments of a version that have finished init.
    public func provisionedReady(accountId: String, region: String, name: String, version: String) -> Int {
        pools(withPrefix: Self.poolPrefix(accountId: accountId, region: region, name: name) + "\(version)\u{1}")
            .reduce(0) { total, pool in total + pool.state.withLock { $0.provisionedReady } }
    }

    private func adjustProvisioned(_ pool: EnvironmentPool, to target: Int) {
        let launches = pool.state.withLock { state -> Int in
            guard !state.retired else { return 0 }
            state.provisionedTarget = target
            var surplus = state.provisionedCount - target
            for (id, slot) in state.slots where surplus > 0 && slot.provisioned && slot.phase != .dead {
                state.slots[id]?.provisioned = false
                state.slots[id]?.idleSince = DispatchTime.now().uptimeNanoseconds
                surplus -= 1
            }
            let launches = max(0, target - state.provisionedCount)
            state.provisionedLaunching += launches
            return launches
        }
        for _ in 0..<launches { startQueue.async { self.startProvisioned(in: pool) } }
    }

    private func startProvisioned(in pool: EnvironmentPool) {
        do {
            try launch(in: pool, provisioned: true)
        } catch {
            pool.state.withLock { $0.provisionedLaunching -= 1 }
            logger.warning(
                "provisioned environment failed to start; trying again in a second",
                [("function.name", pool.configuration.name), ("error.message", "\(error)")])
            replaceProvisioned(in: pool, after: 1)
        }
    }

    /// Starts provisioned environments until the pool has its target again, after `delay` seconds (so that a
    /// function whose init always fails does not spin).
    // Limitation: provisioned concurrency never reports FAILED; an environment whose init fails is started again
    // every second and the configuration stays IN_PROGRESS.
    func replaceProvisioned(in pool: EnvironmentPool, after delay: Double) {
        timerQueue.asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self else { return }
            let target = pool.state.withLock { $0.provisionedTarget }
            self.adjustProvisioned(pool, to: target)
        }
    }
}
