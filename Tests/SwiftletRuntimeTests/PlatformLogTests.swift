import Foundation
import SwiftletSystem
import Testing

@testable import SwiftletRuntime

@Suite("PlatformLog")
struct PlatformLogTests {
    @Test func startNamesRequestAndVersion() {
        #expect(PlatformLog.start(requestId: "abc", version: "$LATEST") == "START RequestId: abc Version: $LATEST")
        #expect(PlatformLog.start(requestId: "abc", version: "7") == "START RequestId: abc Version: 7")
    }

    @Test func endNamesRequest() {
        #expect(PlatformLog.end(requestId: "abc") == "END RequestId: abc")
    }

    @Test func reportSeparatesFieldsWithTabsAndRoundsDurationToTwoDecimals() {
        let line = PlatformLog.report(
            requestId: "abc", durationMs: 1.234, memoryMB: 128, maxMemoryUsedMB: 40, initDurationMs: nil)

        #expect(
            line
                == "REPORT RequestId: abc\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB"
                + "\tMax Memory Used: 40 MB")
    }

    @Test(arguments: [
        (0.0, 1), (0.01, 1), (0.4, 1), (1.0, 1), (1.001, 2), (2.5, 3), (99.99, 100), (1000.0, 1000),
    ])
    func billedDurationIsRoundedUpWithAMinimumOfOne(durationMs: Double, billed: Int) {
        let line = PlatformLog.report(
            requestId: "r", durationMs: durationMs, memoryMB: 128, maxMemoryUsedMB: 1, initDurationMs: nil)

        #expect(line.contains("\tBilled Duration: \(billed) ms\t"))
    }

    @Test(arguments: [
        (0.0, "0.00"), (1.5, "1.50"), (1.05, "1.05"), (2.999, "3.00"), (12.345678, "12.35"), (100.0, "100.00"),
    ])
    func durationsHaveExactlyTwoDecimals(value: Double, text: String) {
        #expect(PlatformLog.twoDecimals(value) == text)
    }

    @Test func reportAddsInitDurationOnlyWhenGiven() {
        let cold = PlatformLog.report(
            requestId: "r", durationMs: 5, memoryMB: 256, maxMemoryUsedMB: 30, initDurationMs: 150.5)
        let warm = PlatformLog.report(
            requestId: "r", durationMs: 5, memoryMB: 256, maxMemoryUsedMB: 30, initDurationMs: nil)

        #expect(cold.hasSuffix("\tMax Memory Used: 30 MB\tInit Duration: 150.50 ms"))
        #expect(!warm.contains("Init Duration"))
    }

    @Test func reportAppendsStatusThenErrorTypeAfterInitDuration() {
        let line = PlatformLog.report(
            requestId: "r", durationMs: 5, memoryMB: 128, maxMemoryUsedMB: 30, initDurationMs: 10,
            status: "error", errorType: "Runtime.ExitError")

        #expect(line.hasSuffix("\tInit Duration: 10.00 ms\tStatus: error\tError Type: Runtime.ExitError"))
    }

    @Test func reportWithStatusAloneHasNoErrorType() {
        let line = PlatformLog.report(
            requestId: "r", durationMs: 1000, memoryMB: 128, maxMemoryUsedMB: 30, initDurationMs: nil,
            status: "timeout")

        #expect(line.hasSuffix("\tMax Memory Used: 30 MB\tStatus: timeout"))
        #expect(!line.contains("Error Type"))
    }

    @Test func reportSaysUnknownWhenMemoryIsNotMeasured() {
        let line = PlatformLog.report(
            requestId: "r", durationMs: 1, memoryMB: 128, maxMemoryUsedMB: nil, initDurationMs: nil)

        #expect(line.hasSuffix("\tMax Memory Used: unknown MB"))
    }

    @Test func timeoutLineHasTimestampRequestIdAndWholeSeconds() {
        let line = PlatformLog.timedOut(requestId: "abc", seconds: 3)

        #expect(
            matches(line, #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z abc Task timed out after 3\.00 seconds"#))
    }

    @Test func initStartNamesRuntimeVersionAndItsArn() {
        let line = PlatformLog.initStart(versionLabel: "python:3.11.2", region: "eu-west-1")
        let hash = Digest.sha256(Array("python:3.11.2".utf8)).hexString

        #expect(
            line
                == "INIT_START Runtime Version: python:3.11.2\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:"
                + hash)
    }
}
