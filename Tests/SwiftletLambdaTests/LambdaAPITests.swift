import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletSystem
import Testing

@testable import SwiftletLambda

@Suite("LambdaAPI")
struct LambdaAPITests {
    typealias Fixture = LambdaFixture

    @Test func createAnswers201WithTheConfiguration() throws {
        try withLambda { lambda in
            let zip = try handlerZip()
            let created = try lambda.create("resize", zip: zip, ["MemorySize": 256, "Description": "thumbnails"])
            #expect(created["FunctionName"] as? String == "resize")
            #expect(created["FunctionArn"] as? String == Fixture.arn("resize"))
            #expect(created["Runtime"] as? String == "python3.12")
            #expect(created["Handler"] as? String == "app.handler")
            #expect(created["MemorySize"] as? Int == 256)
            #expect(created["Timeout"] as? Int == 3)
            #expect(created["Description"] as? String == "thumbnails")
            #expect(created["CodeSize"] as? Int == zip.count)
            #expect(created["CodeSha256"] as? String == Data(Digest.sha256(zip)).base64EncodedString())
            #expect(created["Version"] as? String == "$LATEST")
            #expect(created["State"] as? String == "Active")
            #expect(created["PackageType"] as? String == "Zip")
            let lastModified = try #require(created["LastModified"] as? String)
            #expect(Timestamp.parseLambda(lastModified) != nil)
        }
    }

    @Test func createdFunctionCanBeReadListedUpdatedAndDeleted() throws {
        try withLambda { lambda in
            let created = try lambda.create("flow")

            let got = lambda.answer(try request("GET", "/2015-03-31/functions/flow"))
            #expect(got.status == 200)
            let gotBody = try object(got)
            let configuration = try #require(gotBody["Configuration"] as? [String: Any])
            #expect(configuration["RevisionId"] as? String == created["RevisionId"] as? String)
            let code = try #require(gotBody["Code"] as? [String: Any])
            #expect(code["RepositoryType"] as? String == "S3")
            #expect((code["Location"] as? String)?.contains("/_swiftlet/code/") == true)

            let listed = try object(lambda.answer(try request("GET", "/2015-03-31/functions")))
            let functions = try #require(listed["Functions"] as? [[String: Any]])
            #expect(functions.map { $0["FunctionName"] as? String } == ["flow"])

            let updated = lambda.answer(
                try request(
                    "PUT", "/2015-03-31/functions/flow/configuration", json: ["MemorySize": 1024, "Timeout": 60]))
            #expect(updated.status == 200)
            let updatedBody = try object(updated)
            #expect(updatedBody["MemorySize"] as? Int == 1024)
            #expect(updatedBody["Timeout"] as? Int == 60)
            #expect(updatedBody["RevisionId"] as? String != created["RevisionId"] as? String)

            let newZip = try handlerZip("v2")
            let recoded = lambda.answer(
                try request("PUT", "/2015-03-31/functions/flow/code", json: ["ZipFile": newZip.base64EncodedString()]))
            #expect(recoded.status == 200)
            #expect(try object(recoded)["CodeSha256"] as? String == Data(Digest.sha256(newZip)).base64EncodedString())

            let deleted = lambda.answer(try request("DELETE", "/2015-03-31/functions/flow"))
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            #expect(lambda.answer(try request("GET", "/2015-03-31/functions/flow")).status == 404)
        }
    }

    @Test func getFunctionConfigurationAcceptsAnARN() throws {
        try withLambda { lambda in
            try lambda.create("by-arn")
            let response = lambda.answer(
                try request("GET", "/2015-03-31/functions/\(Fixture.arn("by-arn"))/configuration"))
            #expect(response.status == 200)
            #expect(try object(response)["FunctionName"] as? String == "by-arn")
        }
    }

    @Test func duplicateCreateIsAConflict() throws {
        try withLambda { lambda in
            try lambda.create("twice")
            let response = lambda.answer(
                try request("POST", "/2015-03-31/functions", json: createBody("twice", zip: try handlerZip())))
            #expect(response.status == 409)
            #expect(response.headers["x-amzn-ErrorType"] == "ResourceConflictException")
            let body = try object(response)
            #expect(body["Type"] as? String == "User")
            #expect(body["message"] as? String == "Function already exist: twice")
        }
    }

    @Test func missingFunctionIsNotFoundNamingItsARN() throws {
        try withLambda { lambda in
            let response = lambda.answer(try request("GET", "/2015-03-31/functions/ghost"), requestId: "req-42")
            #expect(response.status == 404)
            #expect(response.headers["x-amzn-ErrorType"] == "ResourceNotFoundException")
            #expect(response.headers["x-amzn-RequestId"] == "req-42")
            #expect(response.headers["Content-Type"] == "application/json")
            let body = try object(response)
            #expect(body["Type"] as? String == "User")
            #expect(body["Message"] as? String == "Function not found: \(Fixture.arn("ghost"))")
        }
    }

    @Test func deletingAMissingFunctionIsNotFound() throws {
        try withLambda { lambda in
            let response = lambda.answer(try request("DELETE", "/2015-03-31/functions/ghost"))
            #expect(response.status == 404)
            #expect(try object(response)["Message"] as? String == "Function not found: \(Fixture.arn("ghost"))")
        }
    }

    @Test(arguments: ["{not json", "[1, 2]", "\"text\""])
    func bodyThatIsNotAJSONObjectIsInvalidRequestContent(text: String) throws {
        try withLambda { lambda in
            let response = lambda.answer(
                HTTPRequest(method: "POST", path: "/2015-03-31/functions", body: Data(text.utf8)))
            #expect(response.status == 400)
            #expect(response.headers["x-amzn-ErrorType"] == "InvalidRequestContentException")
            let message = try object(response)["message"] as? String
            #expect(message?.hasPrefix("Could not parse request body into json") == true)
        }
    }

    @Test func fieldOfTheWrongTypeIsInvalidRequestContent() throws {
        try withLambda { lambda in
            let body = createBody("typed", zip: try handlerZip(), ["MemorySize": "lots"])
            let response = lambda.answer(try request("POST", "/2015-03-31/functions", json: body))
            #expect(response.status == 400)
            #expect(response.headers["x-amzn-ErrorType"] == "InvalidRequestContentException")
        }
    }

    @Test func bodyTooLargeIsRefusedNamingTheOperation() throws {
        try withLambda { lambda in
            let oversized = HTTPRequest(
                method: "POST", path: "/2015-03-31/functions", body: Data(), bodyTooLarge: true,
                bodyLength: 80_000_000)
            let response = lambda.answer(oversized)
            let body = try object(response)
            #expect(response.status == 413)
            #expect(response.headers["x-amzn-ErrorType"] == "RequestEntityTooLargeException")
            #expect(
                body["message"] as? String
                    == "Request must be smaller than 70167211 bytes for the CreateFunction operation")
        }
    }

    @Test func bodyTooLargeOnUpdateCodeNamesThatOperation() throws {
        try withLambda { lambda in
            let oversized = HTTPRequest(
                method: "PUT", path: "/2015-03-31/functions/f/code", bodyTooLarge: true, bodyLength: 80_000_000)
            let body = try object(lambda.answer(oversized))
            #expect(
                body["message"] as? String
                    == "Request must be smaller than 70167211 bytes for the UpdateFunctionCode operation")
        }
    }

    @Test func staleRevisionIdIsAPreconditionFailure() throws {
        try withLambda { lambda in
            let created = try lambda.create("guarded")
            let response = lambda.answer(
                try request(
                    "PUT", "/2015-03-31/functions/guarded/configuration",
                    json: ["MemorySize": 512, "RevisionId": "00000000-0000-0000-0000-000000000000"]))
            #expect(response.status == 412)
            #expect(response.headers["x-amzn-ErrorType"] == "PreconditionFailedException")
            let after = try object(lambda.answer(try request("GET", "/2015-03-31/functions/guarded/configuration")))
            #expect(after["MemorySize"] as? Int == 128)

            let matching = lambda.answer(
                try request(
                    "PUT", "/2015-03-31/functions/guarded/configuration",
                    json: ["MemorySize": 512, "RevisionId": created["RevisionId"] as? String ?? ""]))
            #expect(matching.status == 200)
        }
    }

    @Test func staleRevisionIdOnUpdateCodeIsAPreconditionFailure() throws {
        try withLambda { lambda in
            try lambda.create("guarded-code")
            let response = lambda.answer(
                try request(
                    "PUT", "/2015-03-31/functions/guarded-code/code",
                    json: ["ZipFile": try handlerZip("v2").base64EncodedString(), "RevisionId": "stale"]))
            #expect(response.status == 412)
        }
    }

    @Test func createWithoutRequiredFieldsListsEveryMissingOne() throws {
        try withLambda { lambda in
            let response = lambda.answer(try request("POST", "/2015-03-31/functions", json: [:]))
            #expect(response.status == 400)
            #expect(response.headers["x-amzn-ErrorType"] == "ValidationException")
            let body = try object(response)
            #expect(body.keys.sorted() == ["message"])
            #expect(
                body["message"] as? String
                    == "3 validation errors detected: "
                    + "Value null at 'functionName' failed to satisfy constraint: Member must not be null; "
                    + "Value null at 'role' failed to satisfy constraint: Member must not be null; "
                    + "Value null at 'code' failed to satisfy constraint: Member must not be null")
        }
    }

    @Test func outOfRangeMemoryIsAValidationException() throws {
        try withLambda { lambda in
            let body = createBody("small", zip: try handlerZip(), ["MemorySize": 127])
            let response = lambda.answer(try request("POST", "/2015-03-31/functions", json: body))
            #expect(response.status == 400)
            #expect(
                try object(response)["message"] as? String
                    == "1 validation error detected: Value '127' at 'memorySize' failed to satisfy constraint: "
                    + "Member must have value greater than or equal to 128")
        }
    }

    @Test func zipThatIsNotAnArchiveIsAnInvalidParameterValue() throws {
        try withLambda { lambda in
            let response = lambda.answer(
                try request(
                    "POST", "/2015-03-31/functions", json: createBody("broken", zip: Data("not a zip".utf8))))
            #expect(response.status == 400)
            #expect(response.headers["x-amzn-ErrorType"] == "InvalidParameterValueException")
            #expect(
                try object(response)["message"] as? String
                    == "Could not unzip uploaded file. Please check your file, then try to upload again.")
        }
    }

    @Test func unknownOperationIsNotFound() throws {
        try withLambda { lambda in
            let response = lambda.answer(try request("GET", "/2015-03-31/functions/f/policy"))
            #expect(response.status == 404)
            #expect(response.headers["x-amzn-ErrorType"] == "UnknownOperationException")
        }
    }

    @Test func healthAnswers503UntilTheNodeIsReady() throws {
        try withLambda { lambda in
            #expect(lambda.answer(try request("GET", "/health")).status == 503)
            lambda.readiness.markReady()
            let ready = lambda.answer(try request("GET", "/health"))
            #expect(ready.status == 200)
            #expect(try object(ready)["status"] as? String == "ok")
        }
    }

    @Test func listPagesWithMaxItemsAndNextMarker() throws {
        try withLambda { lambda in
            let zip = try handlerZip()
            for name in ["c", "a", "b"] { try lambda.create(name, zip: zip) }
            let first = try object(
                lambda.answer(try request("GET", "/2015-03-31/functions", query: [("MaxItems", "2")])))
            let firstNames = (first["Functions"] as? [[String: Any]])?.map { $0["FunctionName"] as? String }
            #expect(firstNames == ["a", "b"])
            let marker = try #require(first["NextMarker"] as? String)

            let second = try object(
                lambda.answer(
                    try request("GET", "/2015-03-31/functions", query: [("MaxItems", "2"), ("Marker", marker)])))
            let secondNames = (second["Functions"] as? [[String: Any]])?.map { $0["FunctionName"] as? String }
            #expect(secondNames == ["c"])
            #expect(second["NextMarker"] == nil)
        }
    }

    @Test func credentialScopeChoosesTheRegion() throws {
        try withLambda { lambda in
            let signed = [
                (
                    "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKID/20240101/eu-west-1/lambda/aws4_request, "
                        + "SignedHeaders=host;x-amz-date, Signature=abc"
                )
            ]
            let created = lambda.answer(
                try request(
                    "POST", "/2015-03-31/functions", json: createBody("regional", zip: try handlerZip()),
                    headers: signed))
            #expect(created.status == 201)
            #expect(try object(created)["FunctionArn"] as? String == Fixture.arn("regional", region: "eu-west-1"))

            let elsewhere = try object(lambda.answer(try request("GET", "/2015-03-31/functions")))
            #expect((elsewhere["Functions"] as? [Any])?.isEmpty == true)
            let here = try object(lambda.answer(try request("GET", "/2015-03-31/functions", headers: signed)))
            #expect((here["Functions"] as? [Any])?.count == 1)
        }
    }

    @Test func tagsAreAddedListedAndRemovedThroughTheARN() throws {
        try withLambda { lambda in
            try lambda.create("tagged", ["Tags": ["team": "media"]])
            let path = "/2017-03-31/tags/\(Fixture.arn("tagged"))"

            let added = lambda.answer(try request("POST", path, json: ["Tags": ["stage": "prod"]]))
            #expect(added.status == 204)
            let listed = try object(lambda.answer(try request("GET", path)))
            #expect(listed["Tags"] as? [String: String] == ["team": "media", "stage": "prod"])

            let removed = lambda.answer(try request("DELETE", path, query: [("tagKeys", "team")]))
            #expect(removed.status == 204)
            let after = try object(lambda.answer(try request("GET", path)))
            #expect(after["Tags"] as? [String: String] == ["stage": "prod"])
        }
    }

    @Test func tagResourceNeedsAFullFunctionARN() throws {
        try withLambda { lambda in
            try lambda.create("plain")
            let response = lambda.answer(try request("GET", "/2017-03-31/tags/plain"))
            #expect(response.status == 400)
            #expect(response.headers["x-amzn-ErrorType"] == "ValidationException")
        }
    }

    @Test func codeLocationDownloadsTheZipAndRefusesAForgedSignature() throws {
        try withLambda { lambda in
            let zip = try handlerZip()
            try lambda.create("download", zip: zip)
            let got = try object(
                lambda.answer(try request("GET", "/2015-03-31/functions/download", headers: [("Host", "node:9000")])))
            let location = try #require((got["Code"] as? [String: Any])?["Location"] as? String)
            #expect(location.hasPrefix("http://node:9000/_swiftlet/code/"))
            let components = try #require(URLComponents(string: location))
            let query = (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }

            let downloaded = lambda.answer(try request("GET", components.path, query: query))
            #expect(downloaded.status == 200)
            #expect(downloaded.body == zip)

            let forged = query.map { $0.0 == "Signature" ? ($0.0, String(repeating: "0", count: 64)) : $0 }
            #expect(lambda.answer(try request("GET", components.path, query: forged)).status == 403)
        }
    }

    @Test func accountSettingsReportUsage() throws {
        try withLambda { lambda in
            let zip = try handlerZip()
            try lambda.create("one", zip: zip)
            let settings = try object(lambda.answer(try request("GET", "/2016-08-19/account-settings")))
            let usage = try #require(settings["AccountUsage"] as? [String: Any])
            #expect(usage["FunctionCount"] as? Int == 1)
            #expect(usage["TotalCodeSize"] as? Int == zip.count)
        }
    }

    @Test func servedOverHTTPEveryAnswerCarriesARequestId() throws {
        try withLambda { lambda in
            var configuration = HTTPServerConfiguration()
            configuration.host = "127.0.0.1"
            configuration.port = 0
            let server = try HTTPServer(
                configuration: configuration, handler: lambda.api, logger: Logger(label: "test", sink: MemoryLogSink()))
            defer { server.stop() }
            var client = try HTTPClient(baseURL: "http://127.0.0.1:\(server.port)")
            client.timeout = 10

            lambda.readiness.markReady()
            let health = try client.send(method: "GET", target: "/health")
            let missing = try client.send(method: "GET", target: "/2015-03-31/functions/ghost")
            #expect(health.status == 200)
            #expect(missing.status == 404)
            for response in [health, missing] {
                let id = try #require(response.headers["x-amzn-RequestId"])
                #expect(UUID(uuidString: id) != nil)
            }
            #expect(health.headers["x-amzn-RequestId"] != missing.headers["x-amzn-RequestId"])
        }
    }
}
