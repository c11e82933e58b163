import Dispatch
import Foundation
import SwiftletStore
import SwiftletSystem
import Testing

@testable import SwiftletServices

@Suite("Retention")
struct RetentionTests {
    @Test func putAndDeleteRetentionShowInDescribe() throws {
        try withLogs { logs in
            try logs.ok("CreateLogGroup", ["logGroupName": "app"])

            try logs.ok("PutRetentionPolicy", ["logGroupName": "app", "retentionInDays": 14])
            let withPolicy = try logs.ok("DescribeLogGroups")["logGroups"]?.items.first
            try logs.ok("DeleteRetentionPolicy", ["logGroupName": "app"])
            let withoutPolicy = try logs.ok("DescribeLogGroups")["logGroups"]?.items.first

            #expect(withPolicy?["retentionInDays"] == 14)
            #expect(withoutPolicy?["retentionInDays"] == nil)
        }
    }

    @Test func everyAllowedValueIsAccepted() throws {
        try withLogs { logs in
            try logs.ok("CreateLogGroup", ["logGroupName": "app"])

            for days in LogsWire.retentionDays {
                #expect(
                    logs.call("PutRetentionPolicy", ["logGroupName": "app", "retentionInDays": .integer(Int64(days))])
                        .status == 200)
            }
        }
    }

    @Test func otherValuesAreInvalidWithTheAllowedSetInTheMessage() throws {
        try withLogs { logs in
            try logs.ok("CreateLogGroup", ["logGroupName": "app"])

            for days: Int64 in [0, 2, 10, 3650, -1] {
                let answer = logs.call(
                    "PutRetentionPolicy", ["logGroupName": "app", "retentionInDays": .integer(days)])
                #expect(answer.errorType == "InvalidParameterException")
                #expect(
                    answer.message
                        == "1 validation error detected: Value '\(days)' at 'retentionInDays' failed to satisfy "
                        + "constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, "
                        + "365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]")
            }
            let missing = logs.call("PutRetentionPolicy", ["logGroupName": "app"])
            #expect(missing.message?.contains("Value null at 'retentionInDays'") == true)
        }
    }

    @Test func retentionOfAMissingGroupFails() throws {
        try withLogs { logs in
            let put = logs.call("PutRetentionPolicy", ["logGroupName": "nope", "retentionInDays": 1])
            let delete = logs.call("DeleteRetentionPolicy", ["logGroupName": "nope"])

            #expect(put.errorType == "ResourceNotFoundException")
            #expect(put.message == "The specified log group does not exist.")
            #expect(delete.errorType == "ResourceNotFoundException")
        }
    }

    @Test func sweeperDeletesEventsPastRetentionOnly() throws {
        try withLogs { logs in
            let day: Int64 = 86_400_000
            try logs.makeStream("short", "s")
            try logs.makeStream("forever", "s")
            try logs.put("short", "s", [(logs.time - 2 * day, "old"), (logs.time - 2 * day + 10, "old too")])
            try logs.put("forever", "s", [(logs.time - 2 * day, "kept")])
            try logs.put("short", "s", [(logs.time, "recent")])
            try logs.ok("PutRetentionPolicy", ["logGroupName": "short", "retentionInDays": 1])
            let sweeper = LogRetentionSweeper(
                store: logs.store, logger: Logger(label: "test.sweeper", sink: logs.logs),
                clock: { [logs] in logs.time })

            let deleted = sweeper.sweep()

            #expect(deleted == 2)
            let short = try logs.ok("FilterLogEvents", ["logGroupName": "short"])
            let forever = try logs.ok("FilterLogEvents", ["logGroupName": "forever"])
            #expect(short.messages == ["recent"])
            #expect(forever.messages == ["kept"])
            #expect(logs.logs.recorded.contains { $0.message == "expired log events deleted" })
        }
    }

    @Test func startedSweeperSweepsOnItsTimerUntilStopped() throws {
        try withLogs { logs in
            let day: Int64 = 86_400_000
            try logs.makeStream("app", "s")
            try logs.put("app", "s", [(logs.time - 2 * day, "old")])
            try logs.ok("PutRetentionPolicy", ["logGroupName": "app", "retentionInDays": 1])
            let sweeper = LogRetentionSweeper(
                store: logs.store, interval: .milliseconds(20), logger: Logger(label: "test.sweeper", sink: logs.logs),
                clock: { [logs] in logs.time })

            sweeper.start()
            sweeper.start()
            var remaining = 1
            for _ in 0..<200 where remaining > 0 {
                usleep(10_000)
                remaining = try logs.ok("FilterLogEvents", ["logGroupName": "app"]).messages.count
            }
            sweeper.stop()

            #expect(remaining == 0)
        }
    }
}
