import SwiftletSystem
import Testing

@testable import SwiftletServices

@Suite("Log streams")
struct LogStreamsTests {
    private func names(_ page: JSONValue) -> [String] {
        page["logStreams"]?.items.compactMap { $0["logStreamName"]?.stringValue } ?? []
    }

    @Test func createdStreamIsDescribedWithItsARN() throws {
        try withLogs { logs in
            try logs.makeStream("/aws/lambda/f", "2026/01/01/[$LATEST]abc")

            let stream = try #require(
                try logs.ok("DescribeLogStreams", ["logGroupName": "/aws/lambda/f"])["logStreams"]?.items.first)

            #expect(stream["logStreamName"] == "2026/01/01/[$LATEST]abc")
            #expect(stream["creationTime"]?.int64 == LogsFixture.start)
            #expect(
                stream["arn"]
                    == "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:log-stream:2026/01/01/[$LATEST]abc")
            #expect(stream["storedBytes"] == 0)
            #expect(stream["firstEventTimestamp"] == nil)
            #expect(stream["lastEventTimestamp"] == nil)
        }
    }

    @Test func streamTimesFollowItsEvents() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")
            let first = logs.time - 5000
            try logs.put("app", "s", [(first, "a"), (first + 100, "b")])

            let stream = try logs.ok("DescribeLogStreams", ["logGroupName": "app"])["logStreams"]?.items.first

            #expect(stream?["firstEventTimestamp"]?.int64 == first)
            #expect(stream?["lastEventTimestamp"]?.int64 == first + 100)
            #expect(stream?["lastIngestionTime"]?.int64 == logs.time)
        }
    }

    @Test func creatingInAMissingGroupFails() throws {
        try withLogs { logs in
            let answer = logs.call("CreateLogStream", ["logGroupName": "nope", "logStreamName": "s"])

            #expect(answer.errorType == "ResourceNotFoundException")
            #expect(answer.message == "The specified log group does not exist.")
        }
    }

    @Test func creatingAnExistingStreamFails() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")

            let answer = logs.call("CreateLogStream", ["logGroupName": "app", "logStreamName": "s"])

            #expect(answer.errorType == "ResourceAlreadyExistsException")
            #expect(answer.message == "The specified log stream already exists")
        }
    }

    @Test func streamNameWithColonOrStarIsInvalid() throws {
        try withLogs { logs in
            try logs.ok("CreateLogGroup", ["logGroupName": "app"])

            let colon = logs.call("CreateLogStream", ["logGroupName": "app", "logStreamName": "a:b"])
            let star = logs.call("CreateLogStream", ["logGroupName": "app", "logStreamName": "a*"])

            #expect(colon.errorType == "InvalidParameterException")
            #expect(colon.message?.contains("Member must satisfy regular expression pattern: [^:*]*") == true)
            #expect(star.errorType == "InvalidParameterException")
        }
    }

    @Test func describeFiltersByPrefixAndOrdersByName() throws {
        try withLogs { logs in
            for name in ["web-2", "worker", "web-1", "api"] { try logs.makeStream("app", name) }

            let ascending = try logs.ok("DescribeLogStreams", ["logGroupName": "app", "logStreamNamePrefix": "web"])
            let descending = try logs.ok("DescribeLogStreams", ["logGroupName": "app", "descending": true])

            #expect(names(ascending) == ["web-1", "web-2"])
            #expect(names(descending) == ["worker", "web-2", "web-1", "api"])
        }
    }

    @Test func describeOrdersByLastEventTime() throws {
        try withLogs { logs in
            for name in ["a", "b", "c"] { try logs.makeStream("app", name) }
            try logs.put("app", "b", [(logs.time - 3000, "old")])
            try logs.put("app", "c", [(logs.time - 2000, "middle")])
            try logs.put("app", "a", [(logs.time - 1000, "new")])

            let newestFirst = try logs.ok(
                "DescribeLogStreams", ["logGroupName": "app", "orderBy": "LastEventTime", "descending": true])

            #expect(names(newestFirst) == ["a", "c", "b"])
        }
    }

    @Test func describeRefusesPrefixWithLastEventTimeOrder() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")

            let answer = logs.call(
                "DescribeLogStreams", ["logGroupName": "app", "orderBy": "LastEventTime", "logStreamNamePrefix": "s"])

            #expect(answer.errorType == "InvalidParameterException")
            #expect(answer.message == "Cannot order by LastEventTime with a logStreamNamePrefix.")
        }
    }

    @Test func describeRefusesUnknownOrder() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")

            let answer = logs.call("DescribeLogStreams", ["logGroupName": "app", "orderBy": "Size"])

            #expect(answer.errorType == "InvalidParameterException")
            #expect(
                answer.message?.contains("Member must satisfy enum value set: [LogStreamName, LastEventTime]") == true)
        }
    }

    @Test func describePagesUntilTheLastStream() throws {
        try withLogs { logs in
            for index in 0..<5 { try logs.makeStream("app", "s\(index)") }

            let first = try logs.ok("DescribeLogStreams", ["logGroupName": "app", "limit": 2])
            let second = try logs.ok(
                "DescribeLogStreams",
                ["logGroupName": "app", "limit": 2, "nextToken": try #require(first["nextToken"])])
            let third = try logs.ok(
                "DescribeLogStreams",
                ["logGroupName": "app", "limit": 2, "nextToken": try #require(second["nextToken"])])

            #expect(names(first) + names(second) + names(third) == ["s0", "s1", "s2", "s3", "s4"])
            #expect(third["nextToken"] == nil)
        }
    }

    @Test func describeAcceptsGroupIdentifierAsNameOrARN() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")
            let arn = "arn:aws:logs:us-east-1:000000000000:log-group:app"

            let byName = try logs.ok("DescribeLogStreams", ["logGroupIdentifier": "app"])
            let byARN = try logs.ok("DescribeLogStreams", ["logGroupIdentifier": .string(arn)])
            let byWildcardARN = try logs.ok("DescribeLogStreams", ["logGroupIdentifier": .string(arn + ":*")])
            let otherAccount = logs.call(
                "DescribeLogStreams", ["logGroupIdentifier": "arn:aws:logs:us-east-1:111111111111:log-group:app"])

            #expect(names(byName) == ["s"])
            #expect(names(byARN) == ["s"])
            #expect(names(byWildcardARN) == ["s"])
            #expect(otherAccount.errorType == "ResourceNotFoundException")
        }
    }

    @Test func describeNeedsExactlyOneWayToNameTheGroup() throws {
        try withLogs { logs in
            let neither = logs.call("DescribeLogStreams", [:])
            let both = logs.call("DescribeLogStreams", ["logGroupName": "a", "logGroupIdentifier": "a"])

            #expect(neither.errorType == "InvalidParameterException")
            #expect(both.errorType == "InvalidParameterException")
            #expect(both.message == "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        }
    }

    @Test func describeOfAMissingGroupFails() throws {
        try withLogs { logs in
            let answer = logs.call("DescribeLogStreams", ["logGroupName": "nope"])

            #expect(answer.errorType == "ResourceNotFoundException")
            #expect(answer.message == "The specified log group does not exist.")
        }
    }

    @Test func describeRefusesAGroupsToken() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s")

            let answer = logs.call(
                "DescribeLogStreams",
                ["logGroupName": "app", "nextToken": .string(PageToken.groupsAfter("x").encoded)])

            #expect(answer.message == "The specified nextToken is invalid.")
        }
    }
}
