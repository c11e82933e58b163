import Foundation

/// `swiftlet logs NAME [--follow]`: prints a function's log, and with `--follow` keeps printing new lines.
enum LogsCommand {
    static let help = """
        Usage: swiftlet logs NAME [--follow] [--since DURATION] [options]

        Prints the log of function NAME (log group /aws/lambda/NAME), oldest first, through the CloudWatch Logs API.

        Options:
          --follow              keep printing new lines until interrupted
          --since DURATION      how far back to start: 30s, 10m, 2h, 1d (default 1h)
        \(DeployCommand.commonClientOptions)
        """

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["follow"])
        try arguments.rejectUnknown(["follow", "since", "endpoint-url", "region", "profile"])
        guard arguments.positional.count == 1 else { throw CLIError.usage("logs takes one function name") }
        let group = "/aws/lambda/\(arguments.positional[0])"
        let since = try parseDuration(arguments.value("since") ?? "1h")
        let client = try LambdaClient(settings: ClientSettings.resolve(arguments, service: "logs"))
        var start = Int64((Date().timeIntervalSince1970 - since) * 1000)
        var seen = Set<String>()
        let follow = arguments.flag("follow")
        repeat {
            var token: String?
            var newest = start
            repeat {
                var request: [String: Any] = ["logGroupName": group, "startTime": start, "interleaved": true]
                if let token { request["nextToken"] = token }
                guard let page = try fetch(client, request, tolerateMissingGroup: follow) else { break }
                for event in page["events"] as? [[String: Any]] ?? [] {
                    let id = event["eventId"] as? String ?? UUID().uuidString
                    guard seen.insert(id).inserted else { continue }
                    let timestamp = (event["timestamp"] as? NSNumber)?.int64Value ?? start
                    newest = max(newest, timestamp)
                    print(format(event, timestamp: timestamp))
                    fflush(nil)
                }
                token = page["nextToken"] as? String
            } while token != nil
            start = newest
            if follow { usleep(500_000) }
        } while follow
        return 0
    }

    /// One page of FilterLogEvents; nil when the group does not exist yet and that is tolerated.
    static func fetch(
        _ client: LambdaClient, _ request: [String: Any], tolerateMissingGroup: Bool
    ) throws(CLIError)
        -> [String: Any]?
    {
        do {
            return try client.callTarget("Logs_20140328.FilterLogEvents", service: "logs", json: request)
        } catch {
            if case .api(let type, _, _) = error, type == "ResourceNotFoundException", tolerateMissingGroup {
                return nil
            }
            throw error
        }
    }

    static func format(_ event: [String: Any], timestamp: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(timestamp) / 1000)
        let stamp = Terminal.dim(ISO8601DateFormatter().string(from: date))
        let message = (event["message"] as? String ?? "").trimmingCharacters(in: .newlines)
        let platform = ["START ", "END ", "REPORT ", "INIT_START ", "INIT_REPORT "]
        if platform.contains(where: message.hasPrefix) { return "\(stamp) \(Terminal.cyan(message))" }
        if message.contains("Error") || message.contains("Task timed out") {
            return "\(stamp) \(Terminal.red(message))"
        }
        return "\(stamp) \(message)"
    }

    /// `30s`, `10m`, `2h`, `1d` in seconds.
    static func parseDuration(_ text: String) throws(CLIError) -> TimeInterval {
        guard let unit = text.last, let value = Double(text.dropLast()), value >= 0 else {
            throw .usage("--since takes a number and a unit (s, m, h, d), like 10m")
        }
        switch unit {
        case "s": return value
        case "m": return value * 60
        case "h": return value * 3600
        case "d": return value * 86400
        default: throw .usage("--since takes a number and a unit (s, m, h, d), like 10m")
        }
    }
}
