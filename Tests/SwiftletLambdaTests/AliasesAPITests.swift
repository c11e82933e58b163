import Foundation
import SwiftletHTTP
import SwiftletModel
import Testing

@testable import SwiftletLambda

@Suite("Aliases API")
struct AliasesAPITests {
    typealias Fixture = LambdaFixture

    /// Creates `name` with versions 1 and 2 published from different code.
    private func twoVersions(_ lambda: Fixture, _ name: String = "flow") throws {
        try lambda.create(name, zip: try handlerZip("one"))
        #expect(lambda.answer(try request("POST", "/2015-03-31/functions/\(name)/versions")).status == 201)
        let code = ["ZipFile": try handlerZip("two").base64EncodedString()]
        #expect(lambda.answer(try request("PUT", "/2015-03-31/functions/\(name)/code", json: code)).status == 200)
        #expect(lambda.answer(try request("POST", "/2015-03-31/functions/\(name)/versions")).status == 201)
    }

    private func createAlias(
        _ lambda: Fixture, _ body: [String: Any], function: String = "flow"
    ) throws
        -> HTTPResponse
    {
        lambda.answer(try request("POST", "/2015-03-31/functions/\(function)/aliases", json: body))
    }

    /// The error message, under `message` or `Message` as the error's wire style has it.
    private func message(_ response: HTTPResponse) throws -> String? {
        let body = try object(response)
        return (body["message"] ?? body["Message"]) as? String
    }

    @Test func createAnswers201WithTheAliasConfiguration() throws {
        try withLambda { lambda in
            try twoVersions(lambda)
            let response = try createAlias(lambda, ["Name": "live", "FunctionVersion": "1", "Description": "prod"])
            #expect(response.status == 201)
            let body = try object(response)
            #expect(body["AliasArn"] as? String == Fixture.arn("flow") + ":live")
            #expect(body["Name"] as? String == "live")
            #expect(body["FunctionVersion"] as? String == "1")
            #expect(body["Description"] as? String == "prod")
            #expect(body["RoutingConfig"] == nil)
            #expect((body["RevisionId"] as? String).flatMap(UUID.init(uuidString:)) != nil)
        }
    }

    @Test func duplicateAliasIsAConflictNamingItsArn() throws {
        try withLambda { lambda in
            try twoVersions(lambda)
            _ = try createAlias(lambda, ["Name": "live", "FunctionVersion": "1"])
            let response = try createAlias(lambda, ["Name": "live", "FunctionVersion": "2"])
            #expect(response.status == 409)
            #expect(response.headers["x-amzn-ErrorType"] == "ResourceConflictException")
            #expect(try message(response) == "Alias already exists: \(Fixture.arn("flow")):live")
        }
    }

    @Test func invalidNamesVersionsAndRoutingAreRefused() throws {
        try withLambda { lambda in
            try twoVersions(lambda)
            let cases: [([String: Any], String)] = [
                (["Name": "42", "FunctionVersion": "1"], "ValidationException"),
                (["Name": String(repeating: "a", count: 129), "FunctionVersion": "1"], "ValidationException"),
                (["Name": "x", "FunctionVersion": "v1"], "ValidationException"),
                (["FunctionVersion": "1"], "ValidationException"),
                (["Name": "x", "FunctionVersion": "7"], "ResourceNotFoundException"),
                (
                    ["Name": "x", "FunctionVersion": "1", "RoutingConfig": ["AdditionalVersionWeights": ["2": 1.01]]],
                    "ValidationException"
                ),
                (
                    ["Name": "x", "FunctionVersion": "1", "RoutingConfig": ["AdditionalVersionWeights": ["1": 0.5]]],
                    "InvalidParameterValueException"
                ),
                (
                    [
                        "Name": "x", "FunctionVersion": "$LATEST",
                        "RoutingConfig": ["AdditionalVersionWeights": ["1": 0.5]],
                    ], "InvalidParameterValueException"
                ),
                (
                    [
                        "Name": "x", "FunctionVersion": "1",
                        "RoutingConfig": ["AdditionalVersionWeights": ["2": 0.1, "3": 0.1]],
                    ], "InvalidParameterValueException"
                ),
            ]
            for (body, type) in cases {
                let response = try createAlias(lambda, body)
                #expect(response.headers["x-amzn-ErrorType"] == type, "\(body)")
            }
        }
    }

    @Test func updateChecksTheRevisionAndChangesIt() throws {
        try withLambda { lambda in
            try twoVersions(lambda)
            let created = try object(try createAlias(lambda, ["Name": "live", "FunctionVersion": "1"]))
            let path = "/2015-03-31/functions/flow/aliases/live"
            let stale = lambda.answer(try request("PUT", path, json: ["FunctionVersion": "2", "RevisionId": "nope"]))
            #expect(stale.status == 412)
            #expect(stale.headers["x-amzn-ErrorType"] == "PreconditionFailedException")

            let updated = lambda.answer(
                try request(
                    "PUT", path,
                    json: [
                        "FunctionVersion": "2", "RevisionId": created["RevisionId"] as Any,
                        "RoutingConfig": ["AdditionalVersionWeights": ["1": 0.3]],
                    ]))
            #expect(updated.status == 200)
            let body = try object(updated)
            #expect(body["FunctionVersion"] as? String == "2")
            #expect(body["RevisionId"] as? String != created["RevisionId"] as? String)
            let routing = body["RoutingConfig"] as? [String: Any]
            #expect((routing?["AdditionalVersionWeights"] as? [String: Double]) == ["1": 0.3])
        }
    }

    @Test func missingAliasIsNotFoundNamingItsArnButDeletesQuietly() throws {
        try withLambda { lambda in
            try twoVersions(lambda)
            let got = lambda.answer(try request("GET", "/2015-03-31/functions/flow/aliases/gone"))
            #expect(got.status == 404)
            #expect(try message(got) == "Cannot find alias arn: \(Fixture.arn("flow")):gone")

            let updated = lambda.answer(
                try request("PUT", "/2015-03-31/functions/flow/aliases/gone", json: ["FunctionVersion": "1"]))
            #expect(updated.status == 404)
            #expect(try message(updated) == "Alias not found: \(Fixture.arn("flow")):gone")

            let deleted = lambda.answer(try request("DELETE", "/2015-03-31/functions/flow/aliases/gone"))
            #expect(deleted.status == 204)
        }
    }

    @Test func listFiltersByVersionAndPages() throws {
        try withLambda { lambda in
            try twoVersions(lambda)
            _ = try createAlias(lambda, ["Name": "a", "FunctionVersion": "1"])
            _ = try createAlias(lambda, ["Name": "b", "FunctionVersion": "2"])
            _ = try createAlias(lambda, ["Name": "c", "FunctionVersion": "1"])
            let path = "/2015-03-31/functions/flow/aliases"
            let filtered = try object(lambda.answer(try request("GET", path, query: [("FunctionVersion", "1")])))
            #expect((filtered["Aliases"] as? [[String: Any]])?.map { $0["Name"] as? String } == ["a", "c"])

            let first = try object(lambda.answer(try request("GET", path, query: [("MaxItems", "2")])))
            #expect((first["Aliases"] as? [[String: Any]])?.count == 2)
            let marker = try #require(first["NextMarker"] as? String)
            let second = try object(
                lambda.answer(try request("GET", path, query: [("MaxItems", "2"), ("Marker", marker)])))
            #expect((second["Aliases"] as? [[String: Any]])?.map { $0["Name"] as? String } == ["c"])
            #expect(second["NextMarker"] == nil)
        }
    }

    @Test func deleteAnswers204AndTheAliasIsGone() throws {
        try withLambda { lambda in
            try twoVersions(lambda)
            _ = try createAlias(lambda, ["Name": "live", "FunctionVersion": "1"])
            let path = "/2015-03-31/functions/flow/aliases/live"
            #expect(lambda.answer(try request("DELETE", path)).status == 204)
            #expect(lambda.answer(try request("GET", path)).status == 404)
        }
    }

    @Test func configurationThroughAnAliasHasTheAliasArnAndTheTargetVersion() throws {
        try withLambda { lambda in
            try twoVersions(lambda)
            _ = try createAlias(lambda, ["Name": "live", "FunctionVersion": "2"])
            let response = lambda.answer(
                try request("GET", "/2015-03-31/functions/flow/configuration", query: [("Qualifier", "live")]))
            #expect(response.status == 200)
            let body = try object(response)
            #expect(body["FunctionArn"] as? String == Fixture.arn("flow") + ":live")
            #expect(body["Version"] as? String == "2")

            let byName = try object(lambda.answer(try request("GET", "/2015-03-31/functions/flow:live")))
            let configuration = byName["Configuration"] as? [String: Any]
            #expect(configuration?["Version"] as? String == "2")
        }
    }

    @Test func versionBehindAnAliasCannotBeDeleted() throws {
        try withLambda { lambda in
            try twoVersions(lambda)
            _ = try createAlias(
                lambda,
                ["Name": "live", "FunctionVersion": "2", "RoutingConfig": ["AdditionalVersionWeights": ["1": 0.5]]])
            for version in ["1", "2"] {
                let response = lambda.answer(
                    try request("DELETE", "/2015-03-31/functions/flow", query: [("Qualifier", version)]))
                #expect(response.status == 409)
                #expect(response.headers["x-amzn-ErrorType"] == "ResourceConflictException")
            }
            let byAlias = lambda.answer(
                try request("DELETE", "/2015-03-31/functions/flow", query: [("Qualifier", "live")]))
            #expect(byAlias.headers["x-amzn-ErrorType"] == "InvalidParameterValueException")
        }
    }

    @Test func deletingTheFunctionDeletesItsAliases() throws {
        try withLambda { lambda in
            try twoVersions(lambda)
            _ = try createAlias(lambda, ["Name": "live", "FunctionVersion": "1"])
            #expect(lambda.answer(try request("DELETE", "/2015-03-31/functions/flow")).status == 204)
            try lambda.create("flow")
            let listed = try object(lambda.answer(try request("GET", "/2015-03-31/functions/flow/aliases")))
            #expect((listed["Aliases"] as? [Any])?.isEmpty == true)
        }
    }
}
