import Foundation
import SwiftletModel
import SwiftletSystem
import Testing

@testable import SwiftletHTTP
@testable import SwiftletServices
@testable import SwiftletStore

@Suite("LogsAPI protocol")
struct LogsProtocolTests {
    @Test func handlesOnlyRequestsTargetingLogs() throws {
        try withLogs { logs in
            let logsRequest = HTTPRequest(
                method: "POST", path: "/", headers: HTTPHeaders([("x-amz-target", "Logs_20140328.DescribeLogGroups")]))
            let lambdaRequest = HTTPRequest(method: "GET", path: "/2015-03-31/functions")
            let sqsRequest = HTTPRequest(
                method: "POST", path: "/", headers: HTTPHeaders([("X-Amz-Target", "AmazonSQS.ListQueues")]))

            #expect(logs.api.handles(logsRequest))
            #expect(!logs.api.handles(lambdaRequest))
            #expect(!logs.api.handles(sqsRequest))
        }
    }

    @Test func successCarriesRequestIdAndJSON11ContentType() throws {
        try withLogs { logs in
            let answer = logs.call("DescribeLogGroups")

            #expect(answer.status == 200)
            #expect(answer.response.headers["Content-Type"] == "application/x-amz-json-1.1")
            let requestId = try #require(answer.response.headers["x-amzn-RequestId"])
            #expect(requestId.count == 36)
            #expect(answer.json == ["logGroups": []])
        }
    }

    @Test func errorsCarryTypeInHeaderAndBodyWithRequestId() throws {
        try withLogs { logs in
            let answer = logs.call("DeleteLogGroup", ["logGroupName": "missing"])

            #expect(answer.status == 400)
            #expect(answer.errorType == "ResourceNotFoundException")
            #expect(
                answer.json == [
                    "__type": "ResourceNotFoundException", "message": "The specified log group does not exist.",
                ])
            #expect(answer.response.headers["x-amzn-RequestId"] != nil)
            #expect(answer.response.headers["Content-Type"] == "application/x-amz-json-1.1")
        }
    }

    @Test func unknownOperationIsRefused() throws {
        try withLogs { logs in
            let answer = logs.call("PutMetricFilter", ["logGroupName": "g"])

            #expect(answer.status == 400)
            #expect(answer.errorType == "UnknownOperationException")
            #expect(answer.message?.contains("Logs_20140328.PutMetricFilter") == true)
        }
    }

    @Test func getMethodIsRefusedAsUnknownOperation() throws {
        try withLogs { logs in
            let request = HTTPRequest(
                method: "GET", path: "/", headers: HTTPHeaders([("X-Amz-Target", "Logs_20140328.DescribeLogGroups")]))

            #expect(logs.send(request).errorType == "UnknownOperationException")
        }
    }

    @Test func malformedJSONIsASerializationException() throws {
        try withLogs { logs in
            let request = HTTPRequest(
                method: "POST", path: "/", headers: HTTPHeaders([("X-Amz-Target", "Logs_20140328.CreateLogGroup")]),
                body: Data("{\"logGroupName\":".utf8))

            let answer = logs.send(request)

            #expect(answer.status == 400)
            #expect(answer.errorType == "SerializationException")
        }
    }

    @Test func bodyThatIsNotAnObjectIsASerializationException() throws {
        try withLogs { logs in
            let request = HTTPRequest(
                method: "POST", path: "/", headers: HTTPHeaders([("X-Amz-Target", "Logs_20140328.CreateLogGroup")]),
                body: Data("[1]".utf8))

            #expect(logs.send(request).errorType == "SerializationException")
        }
    }

    @Test func memberOfTheWrongTypeIsASerializationException() throws {
        try withLogs { logs in
            let answer = logs.call("DescribeLogGroups", ["limit": "ten"])

            #expect(answer.errorType == "SerializationException")
            #expect(answer.message?.contains("limit") == true)
        }
    }

    @Test func emptyBodyReadsAsEmptyObject() throws {
        try withLogs { logs in
            let request = HTTPRequest(
                method: "POST", path: "/", headers: HTTPHeaders([("X-Amz-Target", "Logs_20140328.DescribeLogGroups")]))

            #expect(logs.send(request).status == 200)
        }
    }

    @Test func oversizedBodyIsRefusedWith413() throws {
        try withLogs { logs in
            let request = HTTPRequest(
                method: "POST", path: "/", headers: HTTPHeaders([("X-Amz-Target", "Logs_20140328.PutLogEvents")]),
                bodyTooLarge: true, bodyLength: 80_000_000)

            let answer = logs.send(request)

            #expect(answer.status == 413)
            #expect(answer.errorType == "RequestEntityTooLargeException")
        }
    }

    @Test func regionComesFromTheCredentialScope() throws {
        try withLogs { logs in
            #expect(logs.call("CreateLogGroup", ["logGroupName": "app"], region: "eu-west-1").status == 200)

            let west = logs.call("DescribeLogGroups", [:], region: "eu-west-1").json
            let east = logs.call("DescribeLogGroups", [:], region: "us-east-1").json
            let unsigned = logs.call("DescribeLogGroups").json

            #expect(west["logGroups"]?.items.first?["arn"] == "arn:aws:logs:eu-west-1:000000000000:log-group:app:*")
            #expect(east["logGroups"]?.items.isEmpty == true)
            #expect(unsigned["logGroups"]?.items.isEmpty == true)
        }
    }

    @Test func storageFailureIsServiceUnavailableAndLogged() throws {
        try withLogs { logs in
            try logs.store.pool.withConnection { connection in try connection.execute("DROP TABLE log_groups") }

            let answer = logs.call("DescribeLogGroups")

            #expect(answer.status == 500)
            #expect(answer.errorType == "ServiceUnavailableException")
            #expect(logs.logs.recorded.contains { $0.level == .error && $0.message == "log store failed" })
        }
    }
}
