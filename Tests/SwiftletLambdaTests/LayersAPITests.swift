import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore
import SwiftletSystem
import Testing

@testable import SwiftletLambda

/// Two accounts' Lambda APIs over one database and code folder, as a cluster would share them.
private struct LayerFixture {
    static let own = "000000000000"
    static let other = "210987654321"

    let api: LambdaAPI
    let otherAPI: LambdaAPI
    let codeFolder: String

    func answer(_ request: HTTPRequest) -> HTTPResponse { api.answer(request, requestId: "test") }

    func blobExists(_ zip: Data) -> Bool {
        let hex = Digest.sha256(zip).hexString
        return FileManager.default.fileExists(atPath: "\(codeFolder)/\(hex.prefix(2))/\(hex).zip")
    }

    /// Publishes `zip` as a version of `name` through `api` and answers the body, failing unless it is 201.
    @discardableResult
    func publish(
        _ name: String, zip: Data? = nil, through api: LambdaAPI? = nil, _ extra: [String: Any] = [:]
    ) throws -> [String: Any] {
        var body: [String: Any] = ["Content": ["ZipFile": (try zip ?? handlerZip(name)).base64EncodedString()]]
        body.merge(extra) { _, new in new }
        let response = (api ?? self.api).answer(
            try request("POST", "/2018-10-31/layers/\(name)/versions", json: body), requestId: "test")
        guard response.status == 201 else {
            throw AWSError(
                type: "Unexpected", status: response.status, message: String(decoding: response.body, as: UTF8.self))
        }
        return try object(response)
    }

    func createFunction(_ name: String, zip: Data? = nil, layers: [String]) throws -> HTTPResponse {
        answer(
            try request(
                "POST", "/2015-03-31/functions", json: createBody(name, zip: zip ?? handlerZip(), ["Layers": layers])))
    }
}

private func withLayers<Result>(
    unzippedLimit: Int64? = nil, _ body: (LayerFixture) throws -> Result
) throws -> Result {
    let folder = NSTemporaryDirectory() + "swiftlet-layer-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }

    func api(account: String) throws -> LambdaAPI {
        var configuration = LambdaServiceConfiguration()
        configuration.accountId = account
        configuration.region = "us-east-1"
        if let unzippedLimit { configuration.limits.codeSizeUnzipped = unzippedLimit }
        let service = LambdaService(
            configuration: configuration, store: try SQLiteStore(path: folder + "/state.db"),
            codeStore: try FileCodeStore(root: folder + "/code"), linkKey: Array("test-link-key".utf8),
            logger: Logger(label: "test.lambda", sink: MemoryLogSink()))
        return LambdaAPI(service: service, readiness: Readiness())
    }
    return try body(
        LayerFixture(
            api: try api(account: LayerFixture.own), otherAPI: try api(account: LayerFixture.other),
            codeFolder: folder + "/code"))
}

private func layerArn(_ name: String, account: String = LayerFixture.own) -> String {
    "arn:aws:lambda:us-east-1:\(account):layer:\(name)"
}

@Suite("Layers API")
struct LayersAPITests {
    @Test func publishAnswers201WithArnsContentAndDates() throws {
        try withLayers { layers in
            let zip = try handlerZip("tools")
            let published = try layers.publish(
                "tools", zip: zip, ["CompatibleRuntimes": ["python3.12"], "Description": "d", "LicenseInfo": "MIT"])

            #expect(published["LayerArn"] as? String == layerArn("tools"))
            #expect(published["LayerVersionArn"] as? String == layerArn("tools") + ":1")
            #expect(published["Version"] as? Int == 1)
            #expect(published["Description"] as? String == "d")
            #expect(published["LicenseInfo"] as? String == "MIT")
            #expect(published["CompatibleRuntimes"] as? [String] == ["python3.12"])
            #expect(published["CompatibleArchitectures"] == nil)
            #expect(Timestamp.parseLambda(published["CreatedDate"] as? String ?? "") != nil)
            let content = try #require(published["Content"] as? [String: Any])
            #expect(content["CodeSha256"] as? String == Data(Digest.sha256(zip)).base64EncodedString())
            #expect(content["CodeSize"] as? Int == zip.count)
            #expect(
                (content["Location"] as? String)?.contains("/_swiftlet/code/\(Digest.sha256(zip).hexString)") == true)
            #expect(try layers.publish("tools")["Version"] as? Int == 2)
        }
    }

    @Test func publishWithoutContentOrFromS3IsRefused() throws {
        try withLayers { layers in
            let missing = layers.answer(try request("POST", "/2018-10-31/layers/t/versions", json: [:]))
            let s3 = layers.answer(
                try request(
                    "POST", "/2018-10-31/layers/t/versions", json: ["Content": ["S3Bucket": "b", "S3Key": "k"]]))

            #expect(missing.status == 400 && missing.headers["x-amzn-ErrorType"] == "ValidationException")
            #expect(
                try object(missing)["message"] as? String
                    == "1 validation error detected: Value null at 'content' failed to satisfy constraint: "
                    + "Member must not be null")
            #expect(s3.headers["x-amzn-ErrorType"] == "InvalidParameterValueException")
        }
    }

    @Test func getAndGetByArnAnswerTheVersionAndMissingOnesAreNotFound() throws {
        try withLayers { layers in
            try layers.publish("tools")
            let got = layers.answer(try request("GET", "/2018-10-31/layers/tools/versions/1"))
            let byArn = layers.answer(
                try request(
                    "GET", "/2018-10-31/layers", query: [("find", "LayerVersion"), ("Arn", layerArn("tools") + ":1")]))
            let missing = layers.answer(try request("GET", "/2018-10-31/layers/tools/versions/2"))

            #expect(got.status == 200 && byArn.status == 200)
            #expect(try object(byArn)["LayerVersionArn"] as? String == layerArn("tools") + ":1")
            #expect(missing.status == 404)
            #expect(try object(missing)["Message"] as? String == "Layer version \(layerArn("tools")):2 does not exist.")
        }
    }

    @Test func deleteAnswers204EvenForAMissingVersionAndNumbersAreNotReused() throws {
        try withLayers { layers in
            try layers.publish("tools")
            #expect(layers.answer(try request("DELETE", "/2018-10-31/layers/tools/versions/1")).status == 204)
            #expect(layers.answer(try request("DELETE", "/2018-10-31/layers/tools/versions/1")).status == 204)
            #expect(layers.answer(try request("DELETE", "/2018-10-31/layers/ghost/versions/4")).status == 204)
            #expect(try layers.publish("tools")["Version"] as? Int == 2)
        }
    }

    @Test func listLayerVersionsPagesNewestFirst() throws {
        try withLayers { layers in
            for _ in 0..<3 { try layers.publish("tools") }
            let first = try object(
                layers.answer(try request("GET", "/2018-10-31/layers/tools/versions", query: [("MaxItems", "2")])))
            let marker = try #require(first["NextMarker"] as? String)
            let second = try object(
                layers.answer(
                    try request(
                        "GET", "/2018-10-31/layers/tools/versions", query: [("MaxItems", "2"), ("Marker", marker)])))

            let versions = { (body: [String: Any]) in
                (body["LayerVersions"] as? [[String: Any]] ?? []).compactMap { $0["Version"] as? Int }
            }
            #expect(versions(first) == [3, 2])
            #expect(versions(second) == [1] && second["NextMarker"] == nil)
        }
    }

    @Test func listLayersFiltersAndRefusesBadValues() throws {
        try withLayers { layers in
            try layers.publish("alpha", ["CompatibleRuntimes": ["python3.12"]])
            try layers.publish("bravo", ["CompatibleRuntimes": ["nodejs20.x"]])
            let python = try object(
                layers.answer(try request("GET", "/2018-10-31/layers", query: [("CompatibleRuntime", "python3.12")])))
            let bad = layers.answer(try request("GET", "/2018-10-31/layers", query: [("MaxItems", "0")]))

            let listed = try #require(python["Layers"] as? [[String: Any]])
            #expect(listed.compactMap { $0["LayerName"] as? String } == ["alpha"])
            #expect((listed.first?["LatestMatchingVersion"] as? [String: Any])?["Version"] as? Int == 1)
            #expect(bad.status == 400 && bad.headers["x-amzn-ErrorType"] == "ValidationException")
        }
    }

    @Test func permissionsAreAddedReadAndRemovedWithRevisionChecks() throws {
        try withLayers { layers in
            try layers.publish("tools")
            let path = "/2018-10-31/layers/tools/versions/1/policy"
            #expect(layers.answer(try request("GET", path)).status == 404)
            let statement: [String: Any] = [
                "StatementId": "all", "Action": "lambda:GetLayerVersion", "Principal": "*",
            ]
            let added = layers.answer(try request("POST", path, json: statement))
            let duplicate = layers.answer(try request("POST", path, json: statement))
            let stale = layers.answer(
                try request("DELETE", path + "/all", query: [("RevisionId", "not-the-revision")]))
            let policy = try object(layers.answer(try request("GET", path)))

            #expect(added.status == 201)
            let addedBody = try object(added)
            #expect(policy["RevisionId"] as? String == addedBody["RevisionId"] as? String)
            #expect((policy["Policy"] as? String)?.contains(#""Sid":"all""#) == true)
            #expect(duplicate.status == 409)
            #expect(stale.status == 412)
            #expect(layers.answer(try request("DELETE", path + "/all")).status == 204)
            #expect(layers.answer(try request("DELETE", path + "/all")).status == 404)
        }
    }

    @Test func functionsReportTheirLayersAndVersionsKeepThem() throws {
        try withLayers { layers in
            let zip = try handlerZip("layer")
            try layers.publish("tools", zip: zip)
            let created = try layers.createFunction("uses", layers: [layerArn("tools") + ":1"])
            let published = layers.answer(try request("POST", "/2015-03-31/functions/uses/versions"))

            #expect(created.status == 201)
            let expected = [layerArn("tools") + ":1"]
            let reported = try object(created)["Layers"] as? [[String: Any]]
            #expect(reported?.compactMap { $0["Arn"] as? String } == expected)
            #expect(reported?.first?["CodeSize"] as? Int == zip.count)
            let versionLayers = try object(published)["Layers"] as? [[String: Any]]
            #expect(versionLayers?.compactMap { $0["Arn"] as? String } == expected)
        }
    }

    @Test func layerValidationOnCreateFunction() throws {
        try withLayers { layers in
            var arns: [String] = []
            for index in 0..<6 {
                try layers.publish("l\(index)")
                arns.append(layerArn("l\(index)") + ":1")
            }
            let six = try layers.createFunction("six", layers: arns)
            let five = try layers.createFunction("five", layers: Array(arns.prefix(5)))
            let malformed = try layers.createFunction("bad", layers: ["nope"])
            let unknown = try layers.createFunction("unknown", layers: [layerArn("l0") + ":9"])

            #expect(six.status == 400)
            #expect(try object(six)["message"] as? String == "Cannot reference more than 5 layers.")
            #expect(five.status == 201)
            #expect(malformed.headers["x-amzn-ErrorType"] == "ValidationException")
            #expect(try object(unknown)["message"] as? String == "Layer version \(layerArn("l0")):9 does not exist.")
        }
    }

    @Test func codeAndLayersPastTheUnzippedLimitAreRefused() throws {
        let function = try handlerZip("f")
        let functionSize = try ZipArchive.inspect(function, unpackedLimit: 1 << 20).unpackedBytes
        let layer = try handlerZip("layer")
        let layerSize = try ZipArchive.inspect(layer, unpackedLimit: 1 << 20).unpackedBytes

        try withLayers(unzippedLimit: functionSize + layerSize) { layers in
            try layers.publish("tools", zip: layer)
            let exact = try layers.createFunction("exact", zip: function, layers: [layerArn("tools") + ":1"])
            #expect(exact.status == 201)
        }
        try withLayers(unzippedLimit: functionSize + layerSize - 1) { layers in
            try layers.publish("tools", zip: layer)
            let over = try layers.createFunction("over", zip: function, layers: [layerArn("tools") + ":1"])
            #expect(
                try object(over)["message"] as? String
                    == "Function code combined with layers exceeds the maximum allowed size of "
                    + "\(functionSize + layerSize - 1) bytes. The actual size is \(functionSize + layerSize) bytes.")
        }
    }

    @Test func anotherAccountsLayerNeedsAGrantToThisAccount() throws {
        try withLayers { layers in
            try layers.publish("shared", through: layers.otherAPI)
            let arn = layerArn("shared", account: LayerFixture.other) + ":1"
            let denied = try layers.createFunction("denied", layers: [arn])
            #expect(denied.status == 403 && denied.headers["x-amzn-ErrorType"] == "AccessDeniedException")

            let grant = layers.otherAPI.answer(
                try request(
                    "POST", "/2018-10-31/layers/shared/versions/1/policy",
                    json: ["StatementId": "own", "Action": "lambda:GetLayerVersion", "Principal": LayerFixture.own]),
                requestId: "test")
            #expect(grant.status == 201)
            let allowed = try layers.createFunction("allowed", layers: [arn])
            let read = layers.answer(
                try request("GET", "/2018-10-31/layers", query: [("find", "LayerVersion"), ("Arn", arn)]))
            let otherPolicy = layers.answer(
                try request(
                    "GET", "/2018-10-31/layers/\(layerArn("shared", account: LayerFixture.other))/versions/1/policy"))

            #expect(allowed.status == 201)
            #expect(read.status == 200)
            #expect(otherPolicy.status == 403)
        }
    }

    @Test func aDeletedLayerVersionKeepsItsZipWhileAFunctionUsesIt() throws {
        try withLayers { layers in
            let zip = try handlerZip("kept")
            try layers.publish("tools", zip: zip)
            #expect(try layers.createFunction("uses", layers: [layerArn("tools") + ":1"]).status == 201)

            #expect(layers.answer(try request("DELETE", "/2018-10-31/layers/tools/versions/1")).status == 204)
            let keptWhileUsed = layers.blobExists(zip)
            #expect(layers.answer(try request("DELETE", "/2015-03-31/functions/uses")).status == 204)

            #expect(keptWhileUsed)
            #expect(!layers.blobExists(zip))
        }
    }
}
