import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletSystem

extension LambdaService {
    /// `GET /2018-10-31/layers`: layers in name order, each with its newest version that passes the
    /// `CompatibleRuntime` and `CompatibleArchitecture` filters; layers with no such version are left out.
    ///
    /// Errors: `ValidationException` (filters, `MaxItems`), `InvalidParameterValueException` (bad `Marker`).
    func listLayers(_ request: HTTPRequest, _ context: RequestContext) throws(AWSError) -> HTTPResponse {
        let (pageSize, filter) = try layerListParameters(request)
        var after: String?
        if let marker = request.queryValue("Marker") {
            guard let decoded = Self.decodeMarker(marker), LayerReference.isName(decoded) else {
                throw .invalidParameterValue("Invalid Marker: pass the NextMarker of an earlier ListLayers answer.")
            }
            after = decoded
        }

        let latest = try storage("list layers") {
            try store.listLatestLayerVersions(
                accountId: context.accountId, region: context.region, after: after, matching: filter,
                limit: pageSize + 1)
        }
        let page = latest.prefix(pageSize)
        let layers: [JSONValue] = page.map { version in
            .object([
                ("LayerName", .string(version.name)), ("LayerArn", .string(version.layerArn)),
                ("LatestMatchingVersion", version.wireListItem()),
            ])
        }
        let nextMarker = latest.count > pageSize ? page.last.map { Self.encodeMarker($0.name) } : nil
        return .json(200, .members([("NextMarker", nextMarker.map(JSONValue.string)), ("Layers", .array(layers))]))
    }

    /// `GET /2018-10-31/layers/{LayerName}/versions`: the layer's versions that pass the filters, newest first. A
    /// layer with no versions answers an empty list, as AWS does.
    ///
    /// Errors: `ValidationException`, `InvalidParameterValueException` (bad `Marker`), `AccessDeniedException`
    /// (another account's layer).
    func listLayerVersions(
        _ request: HTTPRequest, _ context: RequestContext, layer: String
    ) throws(AWSError)
        -> HTTPResponse
    {
        let reference = try resolveOwnLayer(layer, action: "lambda:ListLayerVersions", in: context)
        let (pageSize, filter) = try layerListParameters(request)
        // The marker is the last version number returned; the next page starts below it.
        var before: Int?
        if let marker = request.queryValue("Marker") {
            guard let decoded = Self.decodeMarker(marker).flatMap(Int.init), decoded > 0 else {
                throw .invalidParameterValue(
                    "Invalid Marker: pass the NextMarker of an earlier ListLayerVersions answer.")
            }
            before = decoded
        }

        let versions = try storage("list layer versions") {
            try store.listLayerVersions(
                accountId: context.accountId, region: context.region, name: reference.name, before: before,
                matching: filter, limit: pageSize + 1)
        }
        let page = versions.prefix(pageSize)
        let nextMarker = versions.count > pageSize ? page.last.map { Self.encodeMarker(String($0.version)) } : nil
        return .json(
            200,
            .members([
                ("NextMarker", nextMarker.map(JSONValue.string)),
                ("LayerVersions", .array(page.map { $0.wireListItem() })),
            ]))
    }

    /// `MaxItems` (1 to 50, the model's `MaxLayerListItems`; 50 when absent) and the compatibility filters.
    private func layerListParameters(_ request: HTTPRequest) throws(AWSError) -> (Int, LayerFilter) {
        var violations: [ValidationViolation] = []
        var pageSize = 50
        if let text = request.queryValue("MaxItems") {
            if let maxItems = Int(text) {
                if maxItems < 1 {
                    violations.append(
                        .value(text, at: "maxItems", "Member must have value greater than or equal to 1"))
                } else if maxItems > 50 {
                    violations.append(.value(text, at: "maxItems", "Member must have value less than or equal to 50"))
                }
                pageSize = maxItems
            } else {
                violations.append(.value(text, at: "maxItems", "Member must be an integer"))
            }
        }
        let filter = LayerFilter(
            runtime: request.queryValue("CompatibleRuntime"),
            architecture: request.queryValue("CompatibleArchitecture"))
        if let runtime = filter.runtime,
            let violation = LayerVersionSettings.filterViolation(
                runtime, field: "compatibleRuntime", allowed: LayerVersionSettings.runtimes)
        {
            violations.append(violation)
        }
        if let architecture = filter.architecture,
            let violation = LayerVersionSettings.filterViolation(
                architecture, field: "compatibleArchitecture", allowed: LayerVersionSettings.architectures)
        {
            violations.append(violation)
        }
        guard violations.isEmpty else { throw .validation(violations) }
        return (min(pageSize, limits.listPageSize), filter)
    }
}
