import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletStore
import SwiftletSystem

@testable import SwiftletLambda

/// A Lambda API over a real SQLite store and code folder in a temporary directory.
struct LambdaFixture {
    static let account = "000000000000"
    static let region = "us-east-1"

    let folder: String
    let api: LambdaAPI
    let readiness: Readiness
    let logs: MemoryLogSink

    /// The unqualified ARN of `name` in the fixture's account and region.
    static func arn(_ name: String, region: String = region) -> String {
        "arn:aws:lambda:\(region):\(account):function:\(name)"
    }

    /// Answers `request` as the node would, with a fixed request id.
    func answer(_ request: HTTPRequest, requestId: String = "test-request") -> HTTPResponse {
        api.answer(request, requestId: requestId)
    }
}

/// Runs `body` with a fresh fixture and removes its folder afterwards.
func withLambda<Result>(_ body: (LambdaFixture) throws -> Result) throws -> Result {
    let folder = NSTemporaryDirectory() + "swiftlet-lambda-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }

    let logs = MemoryLogSink()
    var configuration = LambdaServiceConfiguration()
    configuration.accountId = LambdaFixture.account
    configuration.region = LambdaFixture.region
    let service = LambdaService(
        configuration: configuration, store: try SQLiteStore(path: folder + "/state.db"),
        codeStore: try FileCodeStore(root: folder + "/code"), linkKey: Array("test-link-key".utf8),
        logger: Logger(label: "test.lambda", sink: logs))
    let readiness = Readiness()
    let fixture = LambdaFixture(
        folder: folder, api: LambdaAPI(service: service, readiness: readiness), readiness: readiness, logs: logs)
    return try body(fixture)
}

/// A zip holding one Python handler; `marker` changes its contents and so its digest.
func handlerZip(_ marker: String = "v1") throws -> Data {
    let folder = NSTemporaryDirectory() + "swiftlet-lambda-zip-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try Data("def handler(event, context):\n    return '\(marker)'\n".utf8)
        .write(to: URL(fileURLWithPath: folder + "/app.py"))
    return try ZipArchive.create(fromDirectory: folder)
}

/// The body of a CreateFunction request for `name`, with `extra` fields merged in.
func createBody(_ name: String, zip: Data, _ extra: [String: Any] = [:]) -> [String: Any] {
    var body: [String: Any] = [
        "FunctionName": name,
        "Runtime": "python3.12",
        "Role": "arn:aws:iam::000000000000:role/lambda",
        "Handler": "app.handler",
        "Code": ["ZipFile": zip.base64EncodedString()],
    ]
    body.merge(extra) { _, new in new }
    return body
}

/// A request with a JSON body.
func request(
    _ method: String, _ path: String, json: [String: Any]? = nil, query: [(String, String)] = [],
    headers: [(String, String)] = []
) throws -> HTTPRequest {
    let body = try json.map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()
    return HTTPRequest(
        method: method, path: path, query: query.map { (name: $0.0, value: $0.1) }, headers: HTTPHeaders(headers),
        body: body)
}

struct NotAnObject: Error {}

/// The response body as a JSON object.
func object(_ response: HTTPResponse) throws -> [String: Any] {
    guard let value = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
        throw NotAnObject()
    }
    return value
}

extension LambdaFixture {
    /// Creates `name` and returns the answer's body, failing unless the answer is 201.
    @discardableResult
    func create(_ name: String, zip: Data? = nil, _ extra: [String: Any] = [:]) throws -> [String: Any] {
        let response = answer(
            try request("POST", "/2015-03-31/functions", json: createBody(name, zip: zip ?? handlerZip(), extra)))
        guard response.status == 201 else {
            throw AWSError(
                type: "Unexpected", status: response.status, message: String(decoding: response.body, as: UTF8.self))
        }
        return try object(response)
    }
}
