import Foundation

/// `swiftlet ls`: every function, one line each.
enum ListCommand {
    static let help = """
        Usage: swiftlet ls [options]

        Lists the functions of the account and region, following every page.

        Options:
        \(DeployCommand.commonClientOptions)
        """

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: [])
        try arguments.rejectUnknown(["endpoint-url", "region", "profile"])
        if let extra = arguments.positional.first { throw CLIError.usage("unexpected argument '\(extra)'") }
        let client = try LambdaClient(settings: ClientSettings.resolve(arguments))

        var table = Table(header: ["NAME", "RUNTIME", "MEMORY", "TIMEOUT", "CODE SIZE", "LAST MODIFIED"])
        var marker: String?
        repeat {
            var query: [(String, String)] = [("MaxItems", "50")]
            if let marker { query.append(("Marker", marker)) }
            let page = try client.call("GET", "/2015-03-31/functions", query: query)
            for function in page["Functions"] as? [[String: Any]] ?? [] {
                table.rows.append([
                    "\(function["FunctionName"] ?? "")", "\(function["Runtime"] ?? "")",
                    "\(function["MemorySize"] ?? "") MB", "\(function["Timeout"] ?? "") s",
                    "\(function["CodeSize"] ?? "")", "\(function["LastModified"] ?? "")",
                ])
            }
            marker = page["NextMarker"] as? String
        } while marker != nil
        if table.rows.isEmpty {
            print(
                "No functions. Create one with: "
                    + "swiftlet deploy NAME --runtime python3.12 --handler app.handler ./folder")
        } else {
            print(table.render())
        }
        return 0
    }
}
