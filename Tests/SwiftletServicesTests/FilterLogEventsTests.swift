import SwiftletSystem
import Testing

@testable import SwiftletServices

@Suite("FilterLogEvents")
struct FilterLogEventsTests {
    /// Two streams of one group with interleaved timestamps, and a third stream of another group.
    private func seed(_ logs: LogsFixture) throws -> Int64 {
        let base = logs.time - 60_000
        try logs.makeStream("app", "web-1")
        try logs.makeStream("app", "web-2")
        try logs.makeStream("app", "worker")
        try logs.makeStream("other", "web-1")
        try logs.put("app", "web-1", [(base, "START a"), (base + 20, "ERROR disk full"), (base + 40, "END a")])
        try logs.put("app", "web-2", [(base + 10, "START b"), (base + 30, "WARN slow"), (base + 50, "END b")])
        try logs.put("app", "worker", [(base + 25, "ERROR timeout")])
        try logs.put("other", "web-1", [(base + 5, "ERROR elsewhere")])
        return base
    }

    private func filter(_ logs: LogsFixture, _ members: [(String, JSONValue)]) throws -> JSONValue {
        try logs.ok("FilterLogEvents", .object([("logGroupName", "app")] + members))
    }

    @Test func eventsOfEveryStreamComeInterleavedByTime() throws {
        try withLogs { logs in
            let base = try seed(logs)

            let result = try filter(logs, [])

            #expect(
                result.messages == [
                    "START a", "START b", "ERROR disk full", "ERROR timeout", "WARN slow", "END a", "END b",
                ])
            let first = try #require(result["events"]?.items.first)
            #expect(first["logStreamName"] == "web-1")
            #expect(first["timestamp"]?.int64 == base)
            #expect(first["ingestionTime"]?.int64 == logs.time)
            #expect(first["eventId"]?.stringValue?.isEmpty == false)
            #expect(result["searchedLogStreams"] == [])
            #expect(result["nextToken"] == nil)
        }
    }

    @Test func patternSelectsMatchingEvents() throws {
        try withLogs { logs in
            _ = try seed(logs)

            let errors = try filter(logs, [("filterPattern", "ERROR")])
            let either = try filter(logs, [("filterPattern", "?WARN ?timeout")])
            let phrase = try filter(logs, [("filterPattern", #""disk full""#)])

            #expect(errors.messages == ["ERROR disk full", "ERROR timeout"])
            #expect(either.messages == ["ERROR timeout", "WARN slow"])
            #expect(phrase.messages == ["ERROR disk full"])
        }
    }

    @Test func streamNamesAndPrefixNarrowTheSearch() throws {
        try withLogs { logs in
            _ = try seed(logs)

            let named = try filter(logs, [("logStreamNames", ["worker", "web-2"])])
            let prefixed = try filter(logs, [("logStreamNamePrefix", "web"), ("filterPattern", "END")])

            #expect(named.messages == ["START b", "ERROR timeout", "WARN slow", "END b"])
            #expect(prefixed.messages == ["END a", "END b"])
        }
    }

    @Test func startAndEndTimeBoundTheSearch() throws {
        try withLogs { logs in
            let base = try seed(logs)

            let window = try filter(logs, [("startTime", .integer(base + 20)), ("endTime", .integer(base + 40))])

            #expect(window.messages == ["ERROR disk full", "ERROR timeout", "WARN slow"])
        }
    }

    @Test func pollingWithStartTimeSeesOnlyNewEvents() throws {
        try withLogs { logs in
            let base = try seed(logs)
            let seen = try filter(logs, [("startTime", .integer(base))])
            let lastSeen = try #require(seen["events"]?.items.last?["timestamp"]?.int64)

            try logs.put("app", "worker", [(logs.time, "new line")])
            let next = try filter(logs, [("startTime", .integer(lastSeen + 1))])

            #expect(next.messages == ["new line"])
        }
    }

    @Test func limitPagesWithNextTokenUntilDone() throws {
        try withLogs { logs in
            _ = try seed(logs)

            var messages: [String] = []
            var token: JSONValue?
            var pages = 0
            repeat {
                var members: [(String, JSONValue)] = [("limit", 3), ("filterPattern", "-WARN")]
                if let token { members.append(("nextToken", token)) }
                let page = try filter(logs, members)
                messages += page.messages
                token = page["nextToken"]
                pages += 1
            } while token != nil && pages < 10

            #expect(messages == ["START a", "START b", "ERROR disk full", "ERROR timeout", "END a", "END b"])
            #expect(pages == 3)
        }
    }

    @Test func sparseMatchesAcrossManyEventsAreAllFound() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")
            let base = logs.time - 3_600_000
            let events = (0..<2_500).map { (base + Int64($0), $0 % 1000 == 999 ? "needle \($0)" : "hay \($0)") }
            try logs.put("app", "s", events)

            let result = try filter(logs, [("filterPattern", "needle")])

            #expect(result.messages == ["needle 999", "needle 1999"])
            #expect(result["nextToken"] == nil)
        }
    }

    @Test func missingGroupOrNamedStreamFails() throws {
        try withLogs { logs in
            _ = try seed(logs)

            let noGroup = logs.call("FilterLogEvents", ["logGroupName": "nope"])
            let noStream = logs.call("FilterLogEvents", ["logGroupName": "app", "logStreamNames": ["web-1", "ghost"]])

            #expect(noGroup.errorType == "ResourceNotFoundException")
            #expect(noGroup.message == "The specified log group does not exist.")
            #expect(noStream.message == "The specified log stream does not exist.")
        }
    }

    @Test func invalidRequestsAreRefused() throws {
        try withLogs { logs in
            _ = try seed(logs)

            let both = logs.call(
                "FilterLogEvents", ["logGroupName": "app", "logStreamNames": ["a"], "logStreamNamePrefix": "a"])
            let json = logs.call("FilterLogEvents", ["logGroupName": "app", "filterPattern": "{ $.level = \"x\" }"])
            let limit = logs.call("FilterLogEvents", ["logGroupName": "app", "limit": 10_001])
            let token = logs.call("FilterLogEvents", ["logGroupName": "app", "nextToken": "%%%"])
            let noNames = logs.call("FilterLogEvents", ["logGroupName": "app", "logStreamNames": []])
            let longPattern = logs.call(
                "FilterLogEvents",
                ["logGroupName": "app", "filterPattern": .string(String(repeating: "a", count: 1025))])

            for answer in [both, json, limit, token, noNames, longPattern] {
                #expect(answer.status == 400)
                #expect(answer.errorType == "InvalidParameterException")
            }
            #expect(json.message?.contains("JSON filter patterns") == true)
            #expect(token.message == "The specified nextToken is invalid.")
        }
    }

    @Test func groupCanBeNamedByIdentifier() throws {
        try withLogs { logs in
            _ = try seed(logs)

            let result = try logs.ok(
                "FilterLogEvents",
                [
                    "logGroupIdentifier": "arn:aws:logs:us-east-1:000000000000:log-group:app:*",
                    "filterPattern": "timeout",
                ])

            #expect(result.messages == ["ERROR timeout"])
        }
    }

    @Test func startFromHeadFalseReadsNewestFirstAndItsTokenKeepsTheDirection() throws {
        try withLogs { logs in
            _ = try seed(logs)

            let first = try filter(logs, [("startFromHead", false), ("limit", 4)])
            let rest = try filter(
                logs, [("limit", 4), ("startFromHead", true), ("nextToken", try #require(first["nextToken"]))])

            #expect(first.messages == ["END b", "END a", "WARN slow", "ERROR timeout"])
            #expect(rest.messages == ["ERROR disk full", "START b", "START a"])
            #expect(rest["nextToken"] == nil)
        }
    }

    @Test func newestFirstBeforeTwentyTwentyFourIsRefused() throws {
        try withLogs { logs in
            _ = try seed(logs)

            let answer = logs.call(
                "FilterLogEvents", ["logGroupName": "app", "startFromHead": false, "startTime": 1_700_000_000_000])

            #expect(answer.errorType == "InvalidParameterException")
        }
    }
}
