import Foundation
import SwiftletHTTP

/// Calls the node's APIs with SigV4-signed requests and turns AWS errors into ``CLIError``.
struct LambdaClient {
    let settings: ClientSettings
    let http: HTTPClient

    init(settings: ClientSettings) throws(CLIError) {
        self.settings = settings
        do {
            http = try HTTPClient(baseURL: settings.endpoint)
        } catch {
            throw .failure("\(error)")
        }
    }

    /// Sends a Lambda API request and returns the decoded JSON object (empty for an empty body).
    @discardableResult
    func call(
        _ method: String, _ path: String, query: [(String, String)] = [], json: [String: Any]? = nil
    )
        throws(CLIError) -> [String: Any]
    {
        var body = Data()
        var headers: [(String, String)] = []
        if let json {
            body = try Self.encode(json)
            headers.append(("Content-Type", "application/json"))
        }
        let response = try send(method, path, query: query, headers: headers, body: body, service: "lambda")
        return try Self.decode(response)
    }

    /// Calls a JSON-protocol operation named by `X-Amz-Target`, such as CloudWatch Logs' FilterLogEvents.
    func callTarget(_ target: String, service: String, json: [String: Any]) throws(CLIError) -> [String: Any] {
        let response = try send(
            "POST", "/", headers: [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", target)],
            body: Self.encode(json), service: service)
        return try Self.decode(response)
    }

    /// Sends a signed request and returns the raw response, whatever its status.
    func send(
        _ method: String, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: Data = Data(), service: String
    ) throws(CLIError) -> HTTPResponse {
        let target = SigV4.target(path: path, query: query)
        let encodedPath = String(target.split(separator: "?", maxSplits: 1).first ?? "")
        let signed =
            headers
            + SigV4.sign(
                method: method, encodedPath: encodedPath, query: query, headers: headers, body: body,
                host: http.authority, region: settings.region, service: service, credentials: settings.credentials)
        do {
            return try http.send(method: method, target: target, headers: signed, body: body)
        } catch {
            throw .failure("\(error) (endpoint \(settings.endpoint))")
        }
    }

    /// The JSON object of a successful response, or the AWS error as ``CLIError/api(type:status:message:)``.
    static func decode(_ response: HTTPResponse) throws(CLIError) -> [String: Any] {
        let object =
            response.body.isEmpty ? [:] : (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        guard (200..<300).contains(response.status) else {
            let type =
                response.headers["x-amzn-ErrorType"]?.split(separator: ":").first.map(String.init)
                ?? (object?["__type"] as? String) ?? "Error"
            let message =
                (object?["message"] as? String) ?? (object?["Message"] as? String)
                ?? String(decoding: response.body.prefix(500), as: UTF8.self)
            throw .api(type: type, status: response.status, message: message)
        }
        return object ?? [:]
    }

    static func encode(_ json: [String: Any]) throws(CLIError) -> Data {
        do {
            return try JSONSerialization.data(withJSONObject: json)
        } catch {
            throw .failure("cannot encode the request: \(error)")
        }
    }
}
