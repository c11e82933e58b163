import Dispatch
import Foundation
import Testing

@testable import SwiftletRuntime

/// The node's memory budget: environments count their `MemorySize` from launch to release; a launch that would
/// pass the budget evicts idle environments, least recently used first, or is throttled.
@Suite("Scheduler memory budget", .serialized, .timeLimit(.minutes(1)))
struct MemoryBudgetTests {
    @Test func environmentsCountTheirMemoryUntilTheyAreReleased() async throws {
        try await withScheduler(SchedulerTests.echo, memoryBudgetMB: 1024) { harness in
            _ = await harness.invoke(harness.configuration("a"))
            #expect(harness.scheduler.committedMemory == 256)

            harness.scheduler.retire(accountId: SchedulerHarness.account, region: SchedulerHarness.region, name: "a")

            #expect(eventually { harness.scheduler.committedMemory == 0 })
        }
    }

    @Test func theLeastRecentlyUsedIdleEnvironmentIsEvicted() async throws {
        try await withScheduler(SchedulerTests.echo, memoryBudgetMB: 512) { harness in
            _ = await harness.invoke(harness.configuration("old"))
            _ = await harness.invoke(harness.configuration("recent"))
            let (oldPid, recentPid) = (harness.sandbox.pids[0], harness.sandbox.pids[1])

            let result = await harness.invoke(harness.configuration("new"))

            #expect(result.functionError == nil && !result.throttled)
            #expect(eventually { isReaped(oldPid) })
            #expect(!isReaped(recentPid))
            #expect(eventually { harness.scheduler.committedMemory == 512 })
        }
    }

    @Test func withOnlyBusyEnvironmentsTheNewcomerIsThrottled() async throws {
        let release = DispatchSemaphore(value: 0)
        let delivered = DispatchSemaphore(value: 0)
        let script = RuntimeScript.answering { event in
            if String(decoding: event.body, as: UTF8.self) == "hold" {
                delivered.signal()
                _ = release.wait(timeout: .now() + 5)
            }
            return "done"
        }
        try await withScheduler(script, memoryBudgetMB: 256) { harness in
            let busy = harness.configuration("busy")
            harness.scheduler.invoke(harness.request(busy, payload: "hold")) { _ in }
            #expect(delivered.wait(timeout: .now() + 3) == .success)

            let result = await harness.invoke(harness.configuration("newcomer"))
            release.signal()

            #expect(result.throttled)
            #expect(harness.sandbox.startCount == 1)
        }
    }
}
