/// The operations the node serves, matched from method and path as the botocore `lambda/2015-03-31` model
/// defines them.
enum LambdaRoute: Equatable {
    case health
    case createFunction
    case listFunctions
    case getFunction(String)
    case deleteFunction(String)
    case getFunctionConfiguration(String)
    case updateFunctionConfiguration(String)
    case updateFunctionCode(String)
    case publishVersion(String)
    case invoke(String)
    /// `POST /2014-11-13/functions/{name}/invoke-async/`: the legacy InvokeAsync.
    case invokeAsync(String)
    case listVersionsByFunction(String)
    case createAlias(String)
    case listAliases(String)
    case getAlias(function: String, alias: String)
    case updateAlias(function: String, alias: String)
    case deleteAlias(function: String, alias: String)
    case getAccountSettings
    case putFunctionConcurrency(String)
    case getFunctionConcurrency(String)
    case deleteFunctionConcurrency(String)
    /// `/2019-09-30/functions/{name}/provisioned-concurrency`: Put, Get or Delete with `Qualifier`, List with
    /// `List=ALL` (told apart by the handler, as the path is the same).
    case putProvisionedConcurrency(String)
    case putEventInvokeConfig(String)
    case updateEventInvokeConfig(String)
    case getEventInvokeConfig(String)
    case deleteEventInvokeConfig(String)
    case listEventInvokeConfigs(String)
    case getProvisionedConcurrency(String)
    case deleteProvisionedConcurrency(String)
    case createEventSourceMapping
    case listEventSourceMappings
    case getEventSourceMapping(String)
    case updateEventSourceMapping(String)
    case deleteEventSourceMapping(String)
    case listTags(String)
    case tagResource(String)
    case untagResource(String)
    case downloadCode(String)
    /// `GET /2018-10-31/layers`: ListLayers, or GetLayerVersionByArn when the query says `find=LayerVersion`.
    case listLayers
    case publishLayerVersion(layer: String)
    case listLayerVersions(layer: String)
    case getLayerVersion(layer: String, version: String)
    case deleteLayerVersion(layer: String, version: String)
    case addLayerVersionPermission(layer: String, version: String)
    case getLayerVersionPolicy(layer: String, version: String)
    case removeLayerVersionPermission(layer: String, version: String, statementId: String)

    /// The operation's name, as AWS's messages use it.
    var operationName: String {
        switch self {
        case .health: "Health"
        case .createFunction: "CreateFunction"
        case .listFunctions: "ListFunctions"
        case .getFunction: "GetFunction"
        case .deleteFunction: "DeleteFunction"
        case .getFunctionConfiguration: "GetFunctionConfiguration"
        case .updateFunctionConfiguration: "UpdateFunctionConfiguration"
        case .updateFunctionCode: "UpdateFunctionCode"
        case .publishVersion: "PublishVersion"
        case .invoke: "InvokeFunction"
        case .invokeAsync: "InvokeAsync"
        case .listVersionsByFunction: "ListVersionsByFunction"
        case .createAlias: "CreateAlias"
        case .listAliases: "ListAliases"
        case .getAlias: "GetAlias"
        case .updateAlias: "UpdateAlias"
        case .deleteAlias: "DeleteAlias"
        case .getAccountSettings: "GetAccountSettings"
        case .putFunctionConcurrency: "PutFunctionConcurrency"
        case .getFunctionConcurrency: "GetFunctionConcurrency"
        case .deleteFunctionConcurrency: "DeleteFunctionConcurrency"
        case .putProvisionedConcurrency: "PutProvisionedConcurrencyConfig"
        case .putEventInvokeConfig: "PutFunctionEventInvokeConfig"
        case .updateEventInvokeConfig: "UpdateFunctionEventInvokeConfig"
        case .getEventInvokeConfig: "GetFunctionEventInvokeConfig"
        case .deleteEventInvokeConfig: "DeleteFunctionEventInvokeConfig"
        case .listEventInvokeConfigs: "ListFunctionEventInvokeConfigs"
        case .getProvisionedConcurrency: "GetProvisionedConcurrencyConfig"
        case .deleteProvisionedConcurrency: "DeleteProvisionedConcurrencyConfig"
        case .createEventSourceMapping: "CreateEventSourceMapping"
        case .listEventSourceMappings: "ListEventSourceMappings"
        case .getEventSourceMapping: "GetEventSourceMapping"
        case .updateEventSourceMapping: "UpdateEventSourceMapping"
        case .deleteEventSourceMapping: "DeleteEventSourceMapping"
        case .listTags: "ListTags"
        case .tagResource: "TagResource"
        case .untagResource: "UntagResource"
        case .downloadCode: "DownloadCode"
        case .listLayers: "ListLayers"
        case .publishLayerVersion: "PublishLayerVersion"
        case .listLayerVersions: "ListLayerVersions"
        case .getLayerVersion: "GetLayerVersion"
        case .deleteLayerVersion: "DeleteLayerVersion"
        case .addLayerVersionPermission: "AddLayerVersionPermission"
        case .getLayerVersionPolicy: "GetLayerVersionPolicy"
        case .removeLayerVersionPermission: "RemoveLayerVersionPermission"
        }
    }
}

/// Path prefixes and matching.
enum LambdaRoutes {
    /// Where `Code.Location` links point.
    static let codePrefix = "/_swiftlet/code/"

    static func match(method: String, path: String) -> LambdaRoute? {
        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if path == "/health" { return method == "GET" ? .health : nil }
        guard let version = segments.first else { return nil }
        segments.removeFirst()
        switch (version, segments.first) {
        case ("2015-03-31", "functions"):
            segments.removeFirst()
            return functions(method: method, segments)
        case ("2015-03-31", "event-source-mappings"):
            switch (method, segments.count) {
            case ("POST", 1): return .createEventSourceMapping
            case ("GET", 1): return .listEventSourceMappings
            case ("GET", 2): return .getEventSourceMapping(segments[1])
            case ("PUT", 2): return .updateEventSourceMapping(segments[1])
            case ("DELETE", 2): return .deleteEventSourceMapping(segments[1])
            default: return nil
            }
        case ("2014-11-13", "functions") where segments.count == 3 && segments[2] == "invoke-async" && method == "POST":
            return .invokeAsync(segments[1])
        case ("2016-08-19", "account-settings") where segments.count == 1 && method == "GET":
            return .getAccountSettings
        case ("2017-10-31", "functions") where segments.count == 3 && segments[2] == "concurrency":
            switch method {
            case "PUT": return .putFunctionConcurrency(segments[1])
            case "DELETE": return .deleteFunctionConcurrency(segments[1])
            default: return nil
            }
        case ("2019-09-30", "functions") where segments.count == 3 && segments[2] == "concurrency" && method == "GET":
            return .getFunctionConcurrency(segments[1])
        case ("2019-09-25", "functions") where segments.count == 3 && segments[2] == "event-invoke-config":
            switch method {
            case "PUT": return .putEventInvokeConfig(segments[1])
            case "POST": return .updateEventInvokeConfig(segments[1])
            case "GET": return .getEventInvokeConfig(segments[1])
            case "DELETE": return .deleteEventInvokeConfig(segments[1])
            default: return nil
            }
        case ("2019-09-25", "functions")
        where segments.count == 4 && segments[2] == "event-invoke-config" && segments[3] == "list" && method == "GET":
            return .listEventInvokeConfigs(segments[1])
        case ("2019-09-30", "functions") where segments.count == 3 && segments[2] == "provisioned-concurrency":
            switch method {
            case "PUT": return .putProvisionedConcurrency(segments[1])
            case "GET": return .getProvisionedConcurrency(segments[1])
            case "DELETE": return .deleteProvisionedConcurrency(segments[1])
            default: return nil
            }
        case ("2017-03-31", "tags") where segments.count >= 2:
            // An ARN has no slashes, but a malformed one might; keep the rest whole so validation can name it.
            let resource = segments.dropFirst().joined(separator: "/")
            switch method {
            case "GET": return .listTags(resource)
            case "POST": return .tagResource(resource)
            case "DELETE": return .untagResource(resource)
            default: return nil
            }
        case ("2018-10-31", "layers"):
            segments.removeFirst()
            return layers(method: method, segments)
        case ("_swiftlet", "code") where segments.count == 2 && method == "GET":
            return .downloadCode(segments[1])
        default:
            return nil
        }
    }

    private static func layers(method: String, _ segments: [String]) -> LambdaRoute? {
        if segments.isEmpty { return method == "GET" ? .listLayers : nil }
        guard segments.count >= 2, segments[1] == "versions" else { return nil }
        let layer = segments[0]
        switch (method, segments.count) {
        case ("POST", 2): return .publishLayerVersion(layer: layer)
        case ("GET", 2): return .listLayerVersions(layer: layer)
        case ("GET", 3): return .getLayerVersion(layer: layer, version: segments[2])
        case ("DELETE", 3): return .deleteLayerVersion(layer: layer, version: segments[2])
        case ("POST", 4) where segments[3] == "policy":
            return .addLayerVersionPermission(layer: layer, version: segments[2])
        case ("GET", 4) where segments[3] == "policy":
            return .getLayerVersionPolicy(layer: layer, version: segments[2])
        case ("DELETE", 5) where segments[3] == "policy":
            return .removeLayerVersionPermission(layer: layer, version: segments[2], statementId: segments[4])
        default: return nil
        }
    }

    private static func functions(method: String, _ segments: [String]) -> LambdaRoute? {
        switch (method, segments.count) {
        case ("POST", 0): return .createFunction
        case ("GET", 0): return .listFunctions
        case ("GET", 1): return .getFunction(segments[0])
        case ("DELETE", 1): return .deleteFunction(segments[0])
        case ("GET", 2) where segments[1] == "configuration": return .getFunctionConfiguration(segments[0])
        case ("PUT", 2) where segments[1] == "configuration": return .updateFunctionConfiguration(segments[0])
        case ("PUT", 2) where segments[1] == "code": return .updateFunctionCode(segments[0])
        case ("POST", 2) where segments[1] == "versions": return .publishVersion(segments[0])
        case ("POST", 2) where segments[1] == "invocations": return .invoke(segments[0])
        case ("GET", 2) where segments[1] == "versions": return .listVersionsByFunction(segments[0])
        case ("POST", 2) where segments[1] == "aliases": return .createAlias(segments[0])
        case ("GET", 2) where segments[1] == "aliases": return .listAliases(segments[0])
        case ("GET", 3) where segments[1] == "aliases": return .getAlias(function: segments[0], alias: segments[2])
        case ("PUT", 3) where segments[1] == "aliases": return .updateAlias(function: segments[0], alias: segments[2])
        case ("DELETE", 3) where segments[1] == "aliases":
            return .deleteAlias(function: segments[0], alias: segments[2])
        default: return nil
        }
    }
}
