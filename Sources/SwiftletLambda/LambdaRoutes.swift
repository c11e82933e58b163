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
    case listVersionsByFunction(String)
    case getAccountSettings
    case listTags(String)
    case tagResource(String)
    case untagResource(String)
    case downloadCode(String)

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
        case .listVersionsByFunction: "ListVersionsByFunction"
        case .getAccountSettings: "GetAccountSettings"
        case .listTags: "ListTags"
        case .tagResource: "TagResource"
        case .untagResource: "UntagResource"
        case .downloadCode: "DownloadCode"
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
        case ("2016-08-19", "account-settings") where segments.count == 1 && method == "GET":
            return .getAccountSettings
        case ("2017-03-31", "tags") where segments.count >= 2:
            // An ARN has no slashes, but a malformed one might; keep the rest whole so validation can name it.
            let resource = segments.dropFirst().joined(separator: "/")
            switch method {
            case "GET": return .listTags(resource)
            case "POST": return .tagResource(resource)
            case "DELETE": return .untagResource(resource)
            default: return nil
            }
        case ("_swiftlet", "code") where segments.count == 2 && method == "GET":
            return .downloadCode(segments[1])
        default:
            return nil
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
        default: return nil
        }
    }
}
