import Foundation
import SwiftletHTTP
import Testing

@testable import SwiftletLambda

@Suite("Function concurrency API")
struct ConcurrencyAPITests {
    private func put(_ lambda: LambdaFixture, _ name: String, _ body: [String: Any]) throws -> HTTPResponse {
        lambda.answer(try request("PUT", "/2017-10-31/functions/\(name)/concurrency", json: body))
    }

    private func unreserved(_ lambda: LambdaFixture) throws -> Int? {
        let settings = try object(lambda.answer(try request("GET", "/2016-08-19/account-settings")))
        return (settings["AccountLimit"] as? [String: Any])?["UnreservedConcurrentExecutions"] as? Int
    }

    @Test func aReservationIsReportedEverywhereAndDeletedAgain() throws {
        try withLambda { lambda in
            try lambda.create("f")
            let put = try put(lambda, "f", ["ReservedConcurrentExecutions": 12])
            let got = try object(lambda.answer(try request("GET", "/2019-09-30/functions/f/concurrency")))
            let function = try object(lambda.answer(try request("GET", "/2015-03-31/functions/f")))

            #expect(put.status == 200)
            #expect(try object(put)["ReservedConcurrentExecutions"] as? Int == 12)
            #expect(got["ReservedConcurrentExecutions"] as? Int == 12)
            #expect((function["Concurrency"] as? [String: Any])?["ReservedConcurrentExecutions"] as? Int == 12)
            #expect(try unreserved(lambda) == 988)

            let deleted = lambda.answer(try request("DELETE", "/2017-10-31/functions/f/concurrency"))
            let after = try object(lambda.answer(try request("GET", "/2019-09-30/functions/f/concurrency")))
            #expect(deleted.status == 204)
            #expect(after.isEmpty)
            #expect(try unreserved(lambda) == 1000)
        }
    }

    @Test func reservationsStopAtTheUnreservedMinimum() throws {
        try withLambda { lambda in
            try lambda.create("a")
            try lambda.create("b")
            #expect(try put(lambda, "a", ["ReservedConcurrentExecutions": 899]).status == 200)
            #expect(try put(lambda, "b", ["ReservedConcurrentExecutions": 1]).status == 200)

            let over = try put(lambda, "b", ["ReservedConcurrentExecutions": 2])
            #expect(over.status == 400)
            #expect(over.headers["x-amzn-ErrorType"] == "InvalidParameterValueException")
            #expect(
                try object(over)["message"] as? String
                    == "Specified ReservedConcurrentExecutions for function decreases account's "
                    + "UnreservedConcurrentExecution below its minimum value of [100].")
            #expect(try unreserved(lambda) == 100)
        }
    }

    @Test func deletingAFunctionGivesItsReservationBack() throws {
        try withLambda { lambda in
            try lambda.create("f")
            _ = try put(lambda, "f", ["ReservedConcurrentExecutions": 30])
            _ = lambda.answer(try request("DELETE", "/2015-03-31/functions/f"))

            #expect(try unreserved(lambda) == 1000)
        }
    }

    @Test(arguments: [
        (#"{"ReservedConcurrentExecutions": -1}"#, "ValidationException"),
        ("{}", "ValidationException"),
        (#"{"ReservedConcurrentExecutions": "many"}"#, "InvalidRequestContentException"),
    ])
    func badValuesAreRefused(body: String, type: String) throws {
        try withLambda { lambda in
            try lambda.create("f")
            let response = lambda.answer(
                HTTPRequest(
                    method: "PUT", path: "/2017-10-31/functions/f/concurrency", query: [], headers: HTTPHeaders([]),
                    body: Data(body.utf8)))
            #expect(response.status == 400)
            #expect(response.headers["x-amzn-ErrorType"] == type)
        }
    }

    @Test func unknownAndQualifiedFunctionsAreRefused() throws {
        try withLambda { lambda in
            try lambda.create("f")
            #expect(try put(lambda, "absent", ["ReservedConcurrentExecutions": 1]).status == 404)
            #expect(lambda.answer(try request("GET", "/2019-09-30/functions/absent/concurrency")).status == 404)
            #expect(lambda.answer(try request("DELETE", "/2017-10-31/functions/absent/concurrency")).status == 404)
            #expect(try put(lambda, "f:1", ["ReservedConcurrentExecutions": 1]).status == 400)
        }
    }
}
