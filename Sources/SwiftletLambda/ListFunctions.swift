import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletSystem

extension LambdaService {
    /// `GET /2015-03-31/functions`: a page of functions in name order, with `NextMarker` when more remain.
    func listFunctions(_ request: HTTPRequest, _ context: RequestContext) throws(AWSError) -> HTTPResponse {
        let pageSize = try pageSize(request)
        let allVersions = request.queryValue("FunctionVersion") == "ALL"
        if let version = request.queryValue("FunctionVersion"), version != "ALL" {
            throw .validation([.value(version, at: "functionVersion", "Member must satisfy enum value set: [ALL]")])
        }
        var after: String?
        if let marker = request.queryValue("Marker") {
            guard let decoded = Self.decodeMarker(marker), FunctionReference.isName(decoded) else {
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
        var functions: [JSONValue] = []
        for record in page {
            functions.append(record.wireConfiguration())
            guard allVersions else { continue }
            let versions = try storage("list versions") {
                try store.listVersions(
                    accountId: context.accountId, region: context.region, name: record.configuration.name, after: 0,
                    limit: Int.max)
            }
            for version in versions {
                functions.append(
                    FunctionRecord(accountId: context.accountId, region: context.region, configuration: version)
                        .wireConfiguration())
            }
        }
        let nextMarker = records.count > pageSize ? page.last.map { Self.encodeMarker($0.configuration.name) } : nil
        return .json(
            200, .members([("Functions", .array(functions)), ("NextMarker", nextMarker.map(JSONValue.string))]))
    }

    /// The page size a `MaxItems` parameter asks for, capped at the node's page size.
    func pageSize(_ request: HTTPRequest) throws(AWSError) -> Int {
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
        return pageSize
    }

    /// One page of a function's per-qualifier settings, in qualifier order: those after `Marker` (the last qualifier
    /// of the previous page), at most `MaxItems`; `NextMarker` when more follow.
    func qualifierPage<Item>(
        _ all: [Item], _ request: HTTPRequest, qualifier: (Item) -> String
    ) throws(AWSError) -> (items: [Item], nextMarker: JSONValue?) {
        let maxItems = try pageSize(request)
        let rest = request.queryValue("Marker").map { marker in all.filter { qualifier($0) > marker } } ?? all
        let items = Array(rest.prefix(maxItems))
        let next = items.count < rest.count ? items.last.map { JSONValue.string(qualifier($0)) } : nil
        return (items, next)
    }

    /// Markers are opaque to clients: base64 of the last name returned.
    static func encodeMarker(_ name: String) -> String {
        Data(name.utf8).base64EncodedString()
    }

    static func decodeMarker(_ marker: String) -> String? {
        guard let data = Data(base64Encoded: marker), let text = String(data: data, encoding: .utf8), !text.isEmpty
        else { return nil }
        return text
    }
}
