import Foundation
import SwiftletLauncher

/// The `swiftlet` command: routes to a subcommand and prints help.
public enum SwiftletCommand {
    static let subcommands: [(name: String, summary: String)] = [
        ("serve", "start a node serving the Lambda API"),
        ("deploy", "create or update a function from a folder or a zip"),
        ("ls", "list functions"),
        ("rm", "delete a function"),
        ("invoke", "run a function and print its answer and log"),
        ("logs", "print or follow a function's log"),
    ]

    static let commandList = subcommands.map { command in
        "  " + command.name.padding(toLength: 8, withPad: " ", startingAt: 0) + command.summary
    }.joined(separator: "\n")

    static let overview = """
        swiftlet: a self-hosted serverless platform that speaks the AWS Lambda API.

        Usage: swiftlet <command> [options]

        Commands:
        \(commandList)

        Run 'swiftlet <command> --help' for a command's options.
        The client commands reach the node at --endpoint-url, else $AWS_ENDPOINT_URL, else http://127.0.0.1:9000,
        and sign requests with the usual AWS credentials (environment variables or ~/.aws profiles).
        """

    /// Runs the command line and returns the exit status.
    public static func main(_ words: [String]) -> Int32 {
        guard let name = words.first else {
            print(overview)
            return 2
        }
        let rest = Array(words.dropFirst())
        // Hidden: the launcher of a namespaced environment, started by the node itself.
        if name == NamespaceLauncher.subcommand { return NamespaceLauncher.run(arguments: rest) }
        do {
            switch name {
            case "--help", "-h", "help":
                if let topic = rest.first, let text = help(for: topic) {
                    print(text)
                } else {
                    print(overview)
                }
                return 0
            case "--version":
                print("swiftlet \(version)")
                return 0
            default:
                if rest.contains("--help") || rest.contains("-h") {
                    guard let text = help(for: name) else { throw CLIError.usage("unknown command '\(name)'") }
                    print(text)
                    return 0
                }
                switch name {
                case "serve": return try ServeCommand.run(rest)
                case "deploy": return try DeployCommand.run(rest)
                case "ls", "list": return try ListCommand.run(rest)
                case "rm", "remove": return try RemoveCommand.run(rest)
                case "invoke": return try InvokeCommand.run(rest)
                case "logs": return try LogsCommand.run(rest)
                default: throw CLIError.usage("unknown command '\(name)'")
                }
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            return error.exitCode
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return 1
        }
    }

    static let version = "0.1.0"

    static func help(for command: String) -> String? {
        switch command {
        case "serve": ServeCommand.help
        case "deploy": DeployCommand.help
        case "ls", "list": ListCommand.help
        case "rm", "remove": RemoveCommand.help
        case "invoke": InvokeCommand.help
        case "logs": LogsCommand.help
        default: nil
        }
    }
}
