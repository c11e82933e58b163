import Foundation
import SwiftletHTTP

/// Calls the node's Lambda API with SigV4-signed requests and turns AWS errors into ``CLIError``.
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

    /// Sends a request and returns the decoded JSON object (empty for an empty body).
    @discardableResult
    func call(
        _ method: String, _ path: String, query: [(String, String)] = [], json: [String: Any]? = nil
    )
        throws(CLIError) -> [String: Any]
    {
        var body = Data()
        var headers: [(String, String)] = []
        if let json {
            do {
                body = try JSONSerialization.data(withJSONObject: json)
            } catch {
                throw .failure("cannot encode the request: \(error)")
            }
            headers.append(("Content-Type", "application/json"))
        }
        let target = SigV4.target(path: path, query: query)
        let encodedPath = String(target.split(separator: "?", maxSplits: 1).first ?? "")
        headers += SigV4.sign(
            method: method, encodedPath: encodedPath, query: query, headers: headers, body: body,
            host: http.authority, region: settings.region, service: "lambda", credentials: settings.credentials)

        let response: HTTPResponse
        do {
            response = try http.send(method: method, target: target, headers: headers, body: body)
        } catch {
            throw .failure("\(error) (endpoint \(settings.endpoint))")
        }
        let object =
            response.body.isEmpty ? [:] : (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        guard (200..<300).contains(response.status) else {
            let type = response.headers["x-amzn-ErrorType"]?.split(separator: ":").first.map(String.init) ?? "Error"
            let message =
                (object?["message"] as? String) ?? (object?["Message"] as? String)
                ?? String(decoding: response.body.prefix(500), as: UTF8.self)
            throw .api(type: type, status: response.status, message: message)
        }
        return object ?? [:]
    }
}
