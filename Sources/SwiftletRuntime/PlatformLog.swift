import Foundation
import SwiftletSystem

/// The lines Lambda itself writes into a function's log stream, in AWS's formats.
enum PlatformLog {
    static func initStart(versionLabel: String, region: String) -> String {
        let hash = Digest.sha256(Array(versionLabel.utf8)).hexString
        return "INIT_START Runtime Version: \(versionLabel)"
            + "\tRuntime Version ARN: arn:aws:lambda:\(region)::runtime:\(hash)"
    }

    /// `INIT_REPORT Init Duration: 12.34 ms\tPhase: init\tStatus: error`, for an init that failed.
    /// The end of an init that ran ahead of any invocation, for provisioned concurrency.
    static func initReport(durationMs: Double) -> String {
        "INIT_REPORT Init Duration: \(twoDecimals(durationMs)) ms"
    }

    static func initReportError(durationMs: Double) -> String {
        "INIT_REPORT Init Duration: \(twoDecimals(durationMs)) ms\tPhase: init\tStatus: error"
    }

    static func start(requestId: String, version: String) -> String {
        "START RequestId: \(requestId) Version: \(version)"
    }

    static func end(requestId: String) -> String {
        "END RequestId: \(requestId)"
    }

    /// `REPORT RequestId: ...\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB`,
    /// then `Init Duration` on a cold start, then the status of a failed invocation.
    static func report(
        requestId: String, durationMs: Double, memoryMB: Int, maxMemoryUsedMB: Int?, initDurationMs: Double?,
        status: String? = nil, errorType: String? = nil
    ) -> String {
        var line = "REPORT RequestId: \(requestId)\tDuration: \(twoDecimals(durationMs)) ms"
        line += "\tBilled Duration: \(Int(durationMs.rounded(.up)).clamped(toAtLeast: 1)) ms"
        line += "\tMemory Size: \(memoryMB) MB"
        line += "\tMax Memory Used: \(maxMemoryUsedMB.map(String.init) ?? "unknown") MB"
        if let initDurationMs { line += "\tInit Duration: \(twoDecimals(initDurationMs)) ms" }
        if let status { line += "\tStatus: \(status)" }
        if let errorType { line += "\tError Type: \(errorType)" }
        return line
    }

    /// `2024-01-01T00:00:00.000Z <id> Task timed out after 3.00 seconds`
    static func timedOut(requestId: String, seconds: Int) -> String {
        "\(Timestamp.iso8601(Date())) \(requestId) Task timed out after \(seconds).00 seconds"
    }

    static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int64((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

extension Int {
    func clamped(toAtLeast minimum: Int) -> Int { Swift.max(self, minimum) }
}
