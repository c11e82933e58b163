import Foundation
import SwiftletModel
import Testing

@testable import SwiftletRuntime

/// Provisioned concurrency in the scheduler: environments started ahead of invocations, kept, replaced, and given
/// back to on-demand use.
@Suite("Scheduler provisioned concurrency", .serialized, .timeLimit(.minutes(1)))
struct ProvisionedSchedulerTests {
    private func published(_ harness: SchedulerHarness, _ name: String) -> FunctionConfiguration {
        var configuration = harness.configuration(name)
        configuration.version = "1"
        return configuration
    }

    private func provision(_ harness: SchedulerHarness, _ configuration: FunctionConfiguration, _ count: Int) {
        harness.scheduler.provision(
            accountId: SchedulerHarness.account, region: SchedulerHarness.region, name: configuration.name,
            routesOutside: true, targets: count == 0 ? [] : [(configuration, count)])
    }

    private func ready(_ harness: SchedulerHarness, _ name: String) -> Int {
        harness.scheduler.provisionedReady(
            accountId: SchedulerHarness.account, region: SchedulerHarness.region, name: name, version: "1")
    }

    @Test func environmentsStartAheadAndServeWithoutInitDuration() async throws {
        try await withScheduler(SchedulerTests.echo) { harness in
            let configuration = published(harness, "ahead")

            provision(harness, configuration, 2)

            #expect(eventually { ready(harness, "ahead") == 2 })
            #expect(harness.sandbox.startCount == 2)
            #expect(
                harness.sandbox.specs.allSatisfy {
                    $0.environment["AWS_LAMBDA_INITIALIZATION_TYPE"] == "provisioned-concurrency"
                })
            let lines = try harness.logLines(of: configuration)
            #expect(lines.filter { $0.hasPrefix("INIT_REPORT Init Duration: ") }.count == 2)

            let result = await harness.invoke(configuration)
            #expect(result.payload == Data("echo:{}".utf8))
            #expect(harness.sandbox.startCount == 2)
            #expect(!result.tailLines.contains { $0.hasPrefix("REPORT") && $0.contains("Init Duration") })
            provision(harness, configuration, 0)
        }
    }

    @Test func aDeadProvisionedEnvironmentIsReplaced() async throws {
        try await withScheduler(SchedulerTests.echo) { harness in
            let configuration = published(harness, "replaced")
            provision(harness, configuration, 1)
            #expect(eventually { ready(harness, "replaced") == 1 })
            let first = try #require(harness.sandbox.pids.first)

            kill(first, SIGKILL)

            #expect(eventually { harness.sandbox.startCount == 2 && ready(harness, "replaced") == 1 })
            provision(harness, configuration, 0)
        }
    }

    @Test func loweringTheTargetHandsEnvironmentsToOnDemandUse() async throws {
        try await withScheduler(SchedulerTests.echo) { harness in
            let configuration = published(harness, "lowered")
            provision(harness, configuration, 2)
            #expect(eventually { ready(harness, "lowered") == 2 })

            provision(harness, configuration, 1)

            #expect(ready(harness, "lowered") == 1)
            #expect(harness.scheduler.environmentCount == 2)
            let result = await harness.invoke(configuration)
            #expect(result.functionError == nil)
            #expect(harness.sandbox.startCount == 2)
            provision(harness, configuration, 0)
        }
    }

    @Test func retiringLatestLeavesPublishedVersionsAlone() async throws {
        try await withScheduler(SchedulerTests.echo) { harness in
            let configuration = published(harness, "kept")
            provision(harness, configuration, 1)
            #expect(eventually { ready(harness, "kept") == 1 })

            harness.scheduler.retire(
                accountId: SchedulerHarness.account, region: SchedulerHarness.region, name: "kept",
                version: "$LATEST")

            #expect(ready(harness, "kept") == 1)
            harness.scheduler.retire(
                accountId: SchedulerHarness.account, region: SchedulerHarness.region, name: "kept")
            #expect(eventually { harness.scheduler.environmentCount == 0 })
        }
    }
}
