/// `swiftlet rm NAME`: deletes a function.
enum RemoveCommand {
    static let help = """
        Usage: swiftlet rm NAME [NAME ...] [options]

        Deletes functions and, when nothing else uses it, their code.

        Options:
        \(DeployCommand.commonClientOptions)
        """

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: [])
        try arguments.rejectUnknown(["endpoint-url", "region", "profile"])
        guard !arguments.positional.isEmpty else { throw CLIError.usage("rm needs a function name") }
        let client = try LambdaClient(settings: ClientSettings.resolve(arguments))
        for name in arguments.positional {
            try client.call("DELETE", "/2015-03-31/functions/\(name)")
            print("deleted \(name)")
        }
        return 0
    }
}
