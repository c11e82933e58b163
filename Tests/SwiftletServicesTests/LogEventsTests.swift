import SwiftletSystem
import Testing

@testable import SwiftletServices

@Suite("PutLogEvents and GetLogEvents")
struct LogEventsTests {
    /// Ten events one second apart ending a minute before the fixture's clock: "m0" ... "m9".
    private func tenEvents(_ logs: LogsFixture) throws -> Int64 {
        try logs.makeStream("app", "s")
        let base = logs.time - 60_000
        try logs.put("app", "s", (0..<10).map { (base + Int64($0) * 1000, "m\($0)") })
        return base
    }

    private func get(_ logs: LogsFixture, _ extra: [(String, JSONValue)] = []) throws -> JSONValue {
        try logs.ok("GetLogEvents", .object([("logGroupName", "app"), ("logStreamName", "s")] + extra))
    }

    @Test func putThenGetReturnsEventsInOrderWithIngestionTime() throws {
        try withLogs { logs in
            let base = try tenEvents(logs)

            let page = try get(logs, [("startFromHead", true)])

            #expect(page.messages == (0..<10).map { "m\($0)" })
            let first = try #require(page["events"]?.items.first)
            #expect(first["timestamp"]?.int64 == base)
            #expect(first["ingestionTime"]?.int64 == logs.time)
        }
    }

    @Test func putAnswersTheModernShapeWithoutSequenceToken() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")

            let answer = try logs.ok(
                "PutLogEvents",
                [
                    "logGroupName": "app", "logStreamName": "s", "sequenceToken": "ignored",
                    "logEvents": [["timestamp": .integer(logs.time), "message": "x"]],
                ])

            #expect(answer == [:])
        }
    }

    @Test func defaultReadIsTheNewestPage() throws {
        try withLogs { logs in
            _ = try tenEvents(logs)

            let page = try get(logs, [("limit", 3)])

            #expect(page.messages == ["m7", "m8", "m9"])
        }
    }

    @Test func backwardTokenWalksToTheStartThenRepeats() throws {
        try withLogs { logs in
            _ = try tenEvents(logs)

            var pages: [[String]] = []
            var token = try #require(get(logs, [("limit", 4)])["nextBackwardToken"])
            while pages.count < 5 {
                let page = try get(logs, [("limit", 4), ("nextToken", token)])
                let next = try #require(page["nextBackwardToken"])
                pages.append(page.messages)
                if next == token { break }
                token = next
            }

            #expect(pages == [["m2", "m3", "m4", "m5"], ["m0", "m1"], []])
        }
    }

    @Test func forwardTokenWalksToTheEndThenRepeats() throws {
        try withLogs { logs in
            _ = try tenEvents(logs)

            let first = try get(logs, [("limit", 4), ("startFromHead", true)])
            var pages = [first.messages]
            var token = try #require(first["nextForwardToken"])
            while pages.count < 5 {
                let page = try get(logs, [("limit", 4), ("startFromHead", true), ("nextToken", token)])
                let next = try #require(page["nextForwardToken"])
                pages.append(page.messages)
                if next == token { break }
                token = next
            }

            #expect(pages == [["m0", "m1", "m2", "m3"], ["m4", "m5", "m6", "m7"], ["m8", "m9"], []])
        }
    }

    @Test func forwardTokenAtTheEndSeesLaterEvents() throws {
        try withLogs { logs in
            _ = try tenEvents(logs)
            let last = try get(logs)
            let token = try #require(last["nextForwardToken"])
            let empty = try get(logs, [("nextToken", token)])

            try logs.put("app", "s", [(logs.time, "late")])
            let later = try get(logs, [("nextToken", token)])

            #expect(empty.messages.isEmpty)
            #expect(empty["nextForwardToken"] == token)
            #expect(later.messages == ["late"])
        }
    }

    @Test func backwardTokenFromAnEmptyForwardPageReadsWhatCameBefore() throws {
        try withLogs { logs in
            _ = try tenEvents(logs)
            let end = try #require(get(logs)["nextForwardToken"])
            let empty = try get(logs, [("nextToken", end)])

            let before = try get(logs, [("nextToken", try #require(empty["nextBackwardToken"])), ("limit", 2)])

            #expect(before.messages == ["m8", "m9"])
        }
    }

    @Test func emptyStreamAnswersTokensAnyway() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")

            let page = try get(logs)
            try logs.put("app", "s", [(logs.time, "first")])
            let next = try get(logs, [("nextToken", try #require(page["nextForwardToken"]))])

            #expect(page["events"] == [])
            #expect(page["nextBackwardToken"]?.stringValue?.isEmpty == false)
            #expect(next.messages == ["first"])
        }
    }

    @Test func timeRangeIncludesStartAndExcludesEnd() throws {
        try withLogs { logs in
            let base = try tenEvents(logs)

            let page = try get(
                logs,
                [("startTime", .integer(base + 2000)), ("endTime", .integer(base + 5000)), ("startFromHead", true)])

            #expect(page.messages == ["m2", "m3", "m4"])
        }
    }

    @Test func pageIsCappedAtOneMegabyte() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")
            let big = String(repeating: "x", count: 200_000)
            for index in 0..<6 { try logs.put("app", "s", [(logs.time - 10_000 + Int64(index), big)]) }

            let page = try get(logs, [("startFromHead", true)])
            let rest = try get(logs, [("startFromHead", true), ("nextToken", try #require(page["nextForwardToken"]))])

            #expect(page["events"]?.items.count == 5)
            #expect(rest["events"]?.items.count == 1)
        }
    }

    @Test func getFromMissingStreamOrGroupFails() throws {
        try withLogs { logs in
            try logs.ok("CreateLogGroup", ["logGroupName": "app"])

            let noStream = logs.call("GetLogEvents", ["logGroupName": "app", "logStreamName": "s"])
            let noGroup = logs.call("GetLogEvents", ["logGroupName": "other", "logStreamName": "s"])

            #expect(noStream.errorType == "ResourceNotFoundException")
            #expect(noStream.message == "The specified log stream does not exist.")
            #expect(noGroup.message == "The specified log group does not exist.")
        }
    }

    @Test func getRefusesLimitAboveTenThousandAndForeignTokens() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")

            let limit = logs.call("GetLogEvents", ["logGroupName": "app", "logStreamName": "s", "limit": 10_001])
            let token = logs.call(
                "GetLogEvents",
                [
                    "logGroupName": "app", "logStreamName": "s",
                    "nextToken": .string(PageToken.filterAfter(timestamp: 0, id: 0).encoded),
                ])
            let missingStream = logs.call("GetLogEvents", ["logGroupName": "app"])

            #expect(limit.message?.contains("Member must have value less than or equal to 10000") == true)
            #expect(token.message == "The specified nextToken is invalid.")
            #expect(missingStream.message?.contains("Value null at 'logStreamName'") == true)
        }
    }

    @Test func putToMissingStreamOrGroupFails() throws {
        try withLogs { logs in
            try logs.ok("CreateLogGroup", ["logGroupName": "app"])
            let events: JSONValue = [["timestamp": .integer(logs.time), "message": "x"]]

            let noStream = logs.call(
                "PutLogEvents", ["logGroupName": "app", "logStreamName": "s", "logEvents": events])
            let noGroup = logs.call("PutLogEvents", ["logGroupName": "zz", "logStreamName": "s", "logEvents": events])

            #expect(noStream.errorType == "ResourceNotFoundException")
            #expect(noStream.message == "The specified log stream does not exist.")
            #expect(noGroup.message == "The specified log group does not exist.")
            #expect(try logs.ok("DescribeLogGroups")["logGroups"]?.items.count == 1)
        }
    }

    @Test func putRefusesEventsOutOfOrder() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")

            let answer = logs.call(
                "PutLogEvents",
                [
                    "logGroupName": "app", "logStreamName": "s",
                    "logEvents": [
                        ["timestamp": .integer(logs.time), "message": "b"],
                        ["timestamp": .integer(logs.time - 1), "message": "a"],
                    ],
                ])

            #expect(answer.errorType == "InvalidParameterException")
            #expect(answer.message == "Log events in a single PutLogEvents request must be in chronological order.")
        }
    }

    @Test func putRefusesBatchOverOneMegabyteCountingOverhead() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")
            let exact = String(repeating: "x", count: 1_048_576 - 26)

            let fits = logs.call(
                "PutLogEvents",
                [
                    "logGroupName": "app", "logStreamName": "s",
                    "logEvents": [["timestamp": .integer(logs.time), "message": .string(exact)]],
                ])
            let over = logs.call(
                "PutLogEvents",
                [
                    "logGroupName": "app", "logStreamName": "s",
                    "logEvents": [["timestamp": .integer(logs.time), "message": .string(exact + "x")]],
                ])

            #expect(fits.status == 200)
            #expect(over.errorType == "InvalidParameterException")
            #expect(over.message?.contains("1048577 bytes exceeds limit of 1048576") == true)
        }
    }

    @Test func putRefusesMoreThanTenThousandEventsAndEmptyBatches() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")
            let many = JSONValue.array(
                (0..<10_001).map { _ in ["timestamp": .integer(logs.time), "message": "x"] })

            let tooMany = logs.call("PutLogEvents", ["logGroupName": "app", "logStreamName": "s", "logEvents": many])
            let none = logs.call("PutLogEvents", ["logGroupName": "app", "logStreamName": "s", "logEvents": []])

            #expect(tooMany.errorType == "InvalidParameterException")
            #expect(tooMany.message?.contains("Member must have length less than or equal to 10000") == true)
            #expect(none.errorType == "InvalidParameterException")
        }
    }

    @Test func putRefusesBatchSpanningMoreThanADay() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")

            let answer = logs.call(
                "PutLogEvents",
                [
                    "logGroupName": "app", "logStreamName": "s",
                    "logEvents": [
                        ["timestamp": .integer(logs.time - 86_400_001), "message": "a"],
                        ["timestamp": .integer(logs.time), "message": "b"],
                    ],
                ])

            #expect(answer.errorType == "InvalidParameterException")
            #expect(answer.message?.contains("cannot span more than 24 hours") == true)
        }
    }

    @Test func putRefusesEventWithoutMessageOrEmptyMessage() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")

            let missing = logs.call(
                "PutLogEvents",
                ["logGroupName": "app", "logStreamName": "s", "logEvents": [["timestamp": .integer(logs.time)]]])
            let empty = logs.call(
                "PutLogEvents",
                [
                    "logGroupName": "app", "logStreamName": "s",
                    "logEvents": [["timestamp": .integer(logs.time), "message": ""]],
                ])

            #expect(missing.message?.contains("Value null at 'logEvents.1.member.message'") == true)
            #expect(empty.message?.contains("at 'logEvents.1.member.message'") == true)
        }
    }

    @Test func putReportsTooOldAndTooNewEventsAndStoresTheRest() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")
            let day: Int64 = 86_400_000
            let hour: Int64 = 3_600_000

            let old = try logs.ok(
                "PutLogEvents",
                [
                    "logGroupName": "app", "logStreamName": "s",
                    "logEvents": [
                        ["timestamp": .integer(logs.time - 14 * day - 2), "message": "too old"],
                        ["timestamp": .integer(logs.time - 14 * day - 1), "message": "too old too"],
                        ["timestamp": .integer(logs.time - 14 * day + 1000), "message": "kept old"],
                    ],
                ])
            let new = try logs.ok(
                "PutLogEvents",
                [
                    "logGroupName": "app", "logStreamName": "s",
                    "logEvents": [
                        ["timestamp": .integer(logs.time + 2 * hour), "message": "kept new"],
                        ["timestamp": .integer(logs.time + 2 * hour + 1), "message": "too new"],
                    ],
                ])

            #expect(old == ["rejectedLogEventsInfo": ["tooOldLogEventEndIndex": 1]])
            #expect(new == ["rejectedLogEventsInfo": ["tooNewLogEventStartIndex": 1]])
            #expect(try get(logs, [("startFromHead", true)]).messages == ["kept old", "kept new"])
        }
    }

    @Test func putReportsEventsOlderThanRetentionAsExpired() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")
            try logs.ok("PutRetentionPolicy", ["logGroupName": "app", "retentionInDays": 1])
            let day: Int64 = 86_400_000

            let answer = try logs.ok(
                "PutLogEvents",
                [
                    "logGroupName": "app", "logStreamName": "s",
                    "logEvents": [
                        ["timestamp": .integer(logs.time - day - 10), "message": "expired"],
                        ["timestamp": .integer(logs.time - day + 1000), "message": "kept"],
                    ],
                ])

            #expect(answer == ["rejectedLogEventsInfo": ["expiredLogEventEndIndex": 0]])
        }
    }

    @Test func putKeepsUnicodeMessagesIntact() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")
            try logs.put("app", "s", [(logs.time, "héllo \"wörld\"\n\ttab ✓")])

            #expect(try get(logs).messages == ["héllo \"wörld\"\n\ttab ✓"])
        }
    }
}
