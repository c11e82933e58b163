import Foundation

/// `swiftlet invoke NAME [--payload JSON|@file]`: runs a function and prints its answer and its log.
enum InvokeCommand {
    static let help = """
        Usage: swiftlet invoke NAME [--payload JSON|@FILE] [--qualifier VERSION] [options]

        Invokes a function synchronously and prints its answer, then the tail of its log (START to REPORT).
        Exits 1 when the function fails.

        Options:
          --payload JSON|@FILE  the event, inline or read from a file (default {})
          --qualifier VERSION   a published version number (default $LATEST)
          --no-log              print only the answer
        \(DeployCommand.commonClientOptions)
        """

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: ["no-log"])
        try arguments.rejectUnknown(["payload", "qualifier", "no-log", "endpoint-url", "region", "profile"])
        guard arguments.positional.count == 1 else { throw CLIError.usage("invoke takes one function name") }
        let name = arguments.positional[0]
        var payload = Data("{}".utf8)
        if let text = arguments.value("payload") {
            if text.hasPrefix("@") {
                guard let data = FileManager.default.contents(atPath: String(text.dropFirst())) else {
                    throw CLIError.failure("cannot read \(text.dropFirst())")
                }
                payload = data
            } else {
                payload = Data(text.utf8)
            }
        }
        let client = try LambdaClient(settings: ClientSettings.resolve(arguments))
        var query: [(String, String)] = []
        if let qualifier = arguments.value("qualifier") { query.append(("Qualifier", qualifier)) }
        let showLog = !arguments.flag("no-log")
        let response = try client.send(
            "POST", "/2015-03-31/functions/\(name)/invocations", query: query,
            headers: [("Content-Type", "application/json"), ("X-Amz-Log-Type", showLog ? "Tail" : "None")],
            body: payload, service: "lambda")
        guard response.status == 200 else {
            _ = try LambdaClient.decode(response)
            return 1
        }
        print(String(decoding: response.body, as: UTF8.self))
        if showLog, let tail = response.headers["X-Amz-Log-Result"], let data = Data(base64Encoded: tail) {
            let log = String(decoding: data, as: UTF8.self)
            FileHandle.standardError.write(Data(Terminal.dim(log.hasSuffix("\n") ? log : log + "\n").utf8))
        }
        if let error = response.headers["X-Amz-Function-Error"] {
            FileHandle.standardError.write(Data("error: the function failed (\(error))\n".utf8))
            return 1
        }
        return 0
    }
}

/// Colour for a terminal, and none for pipes and files.
enum Terminal {
    static let isColour = isatty(2) == 1 && isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    static func dim(_ text: String) -> String { isColour ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
    static func bold(_ text: String) -> String { isColour ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
    static func cyan(_ text: String) -> String { isColour ? "\u{1B}[36m\(text)\u{1B}[0m" : text }
    static func red(_ text: String) -> String { isColour ? "\u{1B}[31m\(text)\u{1B}[0m" : text }
}
