import SwiftletSystem
import Testing

@testable import SwiftletServices

@Suite("Log groups")
struct LogGroupsTests {
    @Test func createdGroupIsDescribedWithBothARNs() throws {
        try withLogs { logs in
            try logs.ok("CreateLogGroup", ["logGroupName": "/aws/lambda/resize"])

            let groups = try logs.ok("DescribeLogGroups")["logGroups"]?.items ?? []

            #expect(groups.count == 1)
            let group = try #require(groups.first)
            #expect(group["logGroupName"] == "/aws/lambda/resize")
            #expect(group["creationTime"]?.int64 == LogsFixture.start)
            #expect(group["arn"] == "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/resize:*")
            #expect(group["logGroupArn"] == "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/resize")
            #expect(group["storedBytes"] == 0)
            #expect(group["metricFilterCount"] == 0)
            #expect(group["logGroupClass"] == "STANDARD")
            #expect(group["retentionInDays"] == nil)
        }
    }

    @Test func creatingAnExistingGroupFails() throws {
        try withLogs { logs in
            try logs.ok("CreateLogGroup", ["logGroupName": "app"])

            let answer = logs.call("CreateLogGroup", ["logGroupName": "app"])

            #expect(answer.status == 400)
            #expect(answer.errorType == "ResourceAlreadyExistsException")
            #expect(answer.bodyType == "ResourceAlreadyExistsException")
            #expect(answer.message == "The specified log group already exists")
        }
    }

    @Test func groupNameOutsideThePatternIsInvalid() throws {
        try withLogs { logs in
            let answer = logs.call("CreateLogGroup", ["logGroupName": "bad:name"])

            #expect(answer.errorType == "InvalidParameterException")
            #expect(
                answer.message
                    == "1 validation error detected: Value 'bad:name' at 'logGroupName' failed to satisfy constraint: "
                    + #"Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+"#)
        }
    }

    @Test func missingAndOverlongNamesAreInvalid() throws {
        try withLogs { logs in
            let missing = logs.call("CreateLogGroup", [:])
            let long = logs.call("CreateLogGroup", ["logGroupName": .string(String(repeating: "a", count: 513))])

            #expect(missing.errorType == "InvalidParameterException")
            #expect(missing.message?.contains("Value null at 'logGroupName'") == true)
            #expect(long.errorType == "InvalidParameterException")
            #expect(long.message?.contains("Member must have length less than or equal to 512") == true)
        }
    }

    @Test func describeFiltersByPrefixInNameOrder() throws {
        try withLogs { logs in
            for name in ["/aws/lambda/b", "/aws/lambda/a", "/custom/x", "/aws/lambdas"] {
                try logs.ok("CreateLogGroup", ["logGroupName": .string(name)])
            }

            let listed = try logs.ok("DescribeLogGroups", ["logGroupNamePrefix": "/aws/lambda/"])
            let names = listed["logGroups"]?.items.compactMap { $0["logGroupName"]?.stringValue }

            #expect(names == ["/aws/lambda/a", "/aws/lambda/b"])
            #expect(listed["nextToken"] == nil)
        }
    }

    @Test func describePagesWithOpaqueTokens() throws {
        try withLogs { logs in
            for index in 0..<7 { try logs.ok("CreateLogGroup", ["logGroupName": .string("g\(index)")]) }

            var names: [String] = []
            var token: JSONValue?
            var pages = 0
            repeat {
                var body: [(String, JSONValue)] = [("limit", 3)]
                if let token { body.append(("nextToken", token)) }
                let page = try logs.ok("DescribeLogGroups", .object(body))
                names += page["logGroups"]?.items.compactMap { $0["logGroupName"]?.stringValue } ?? []
                token = page["nextToken"]
                pages += 1
                if let text = token?.stringValue { #expect(!text.hasPrefix("g")) }
            } while token != nil && pages < 10

            #expect(names == (0..<7).map { "g\($0)" })
            #expect(pages == 3)
        }
    }

    @Test func describeByPatternMatchesSubstringsIgnoringCase() throws {
        try withLogs { logs in
            for name in ["/aws/lambda/Orders", "/aws/lambda/users", "orders-archive"] {
                try logs.ok("CreateLogGroup", ["logGroupName": .string(name)])
            }

            let listed = try logs.ok("DescribeLogGroups", ["logGroupNamePattern": "ORDERS"])

            #expect(
                listed["logGroups"]?.items.compactMap { $0["logGroupName"]?.stringValue }
                    == ["/aws/lambda/Orders", "orders-archive"])
        }
    }

    @Test func describeRefusesPrefixWithPattern() throws {
        try withLogs { logs in
            let answer = logs.call("DescribeLogGroups", ["logGroupNamePrefix": "a", "logGroupNamePattern": "b"])

            #expect(answer.errorType == "InvalidParameterException")
        }
    }

    @Test func describeLimitAboveFiftyIsInvalid() throws {
        try withLogs { logs in
            let answer = logs.call("DescribeLogGroups", ["limit": 51])

            #expect(answer.errorType == "InvalidParameterException")
            #expect(
                answer.message
                    == "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: "
                    + "Member must have value less than or equal to 50")
        }
    }

    @Test func describeRefusesAForeignToken() throws {
        try withLogs { logs in
            let garbage = logs.call("DescribeLogGroups", ["nextToken": "not-a-token"])
            let streamToken = logs.call(
                "DescribeLogGroups", ["nextToken": .string(PageToken.streamsSkipping(3).encoded)])

            #expect(garbage.errorType == "InvalidParameterException")
            #expect(garbage.message == "The specified nextToken is invalid.")
            #expect(streamToken.errorType == "InvalidParameterException")
        }
    }

    @Test func deleteRemovesGroupStreamsAndEvents() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s1")
            try logs.put("app", "s1", [(logs.time, "hello")])

            try logs.ok("DeleteLogGroup", ["logGroupName": "app"])

            #expect(try logs.ok("DescribeLogGroups")["logGroups"] == [])
            #expect(
                logs.call("GetLogEvents", ["logGroupName": "app", "logStreamName": "s1"]).message
                    == "The specified log group does not exist.")
            try logs.ok("CreateLogGroup", ["logGroupName": "app"])
            #expect(try logs.ok("DescribeLogStreams", ["logGroupName": "app"])["logStreams"] == [])
        }
    }

    @Test func deletingAMissingGroupFails() throws {
        try withLogs { logs in
            let answer = logs.call("DeleteLogGroup", ["logGroupName": "nope"])

            #expect(answer.errorType == "ResourceNotFoundException")
            #expect(answer.message == "The specified log group does not exist.")
        }
    }

    @Test func storedBytesCountsMessages() throws {
        try withLogs { logs in
            try logs.makeStream("app", "s1")
            try logs.put("app", "s1", [(logs.time, "12345"), (logs.time, "678")])

            let group = try logs.ok("DescribeLogGroups")["logGroups"]?.items.first

            #expect(group?["storedBytes"] == 8)
        }
    }
}
