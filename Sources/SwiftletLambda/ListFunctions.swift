import Foundation
import SwiftletHTTP
import SwiftletModel

extension LambdaService {
    /// `GET /2015-03-31/functions`: a page of functions in name order, with `NextMarker` when more remain.
    func listFunctions(_ request: HTTPRequest, _ context: RequestContext) throws(AWSError) -> HTTPResponse {
        var pageSize = limits.listPageSize
        if let text = request.queryValue("MaxItems") {
            guard let maxItems = Int(text) else {
                throw .validation([.value(text, at: "maxItems", "Member must be an integer")])
            }
            if maxItems < 1 {
                throw .validation([.value(text, at: "maxItems", "Member must have value greater than or equal to 1")])
            }
            if maxItems > 10_000 {
                throw .validation([.value(text, at: "maxItems", "Member must have value less than or equal to 10000")])
            }
            pageSize = min(maxItems, limits.listPageSize)
        }
        if let version = request.queryValue("FunctionVersion"), version != "ALL" {
            throw .validation([.value(version, at: "functionVersion", "Member must satisfy enum value set: [ALL]")])
        }
        var after: String?
        if let marker = request.queryValue("Marker") {
            guard let decoded = Self.decodeMarker(marker) else {
                throw .invalidParameterValue("Invalid Marker: pass the NextMarker of an earlier ListFunctions answer.")
            }
            after = decoded
        }

        // One extra row tells whether another page follows.
        let records = try storage("list functions") {
            try store.listFunctions(
                accountId: context.accountId, region: context.region, after: after, limit: pageSize + 1)
        }
        let page = records.prefix(pageSize)
        var wire: [String: Any] = ["Functions": page.map { $0.wireConfiguration() }]
        if records.count > pageSize, let last = page.last {
            wire["NextMarker"] = Self.encodeMarker(last.configuration.name)
        }
        return .json(200, wire)
    }

    /// Markers are opaque to clients: base64 of the last name returned.
    static func encodeMarker(_ name: String) -> String {
        Data(name.utf8).base64EncodedString()
    }

    static func decodeMarker(_ marker: String) -> String? {
        guard let data = Data(base64Encoded: marker), let name = String(data: data, encoding: .utf8),
            FunctionReference.isName(name)
        else { return nil }
        return name
    }
}
