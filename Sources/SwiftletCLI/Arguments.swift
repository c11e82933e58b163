/// A command line split into options and positional words: `--name value`, `--name=value`, and flags.
struct Arguments {
    private(set) var positional: [String] = []
    private var options: [String: String] = [:]
    private var flags: Set<String> = []

    /// Parses `words`. `flagNames` are options that take no value.
    init(_ words: [String], flagNames: Set<String>) throws(CLIError) {
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            if word == "--" {
                positional.append(contentsOf: words[index...])
                break
            }
            guard word.hasPrefix("--"), word.count > 2 else {
                positional.append(word)
                continue
            }
            let body = word.dropFirst(2)
            if let equals = body.firstIndex(of: "=") {
                options[String(body[..<equals])] = String(body[body.index(after: equals)...])
            } else if flagNames.contains(String(body)) {
                flags.insert(String(body))
            } else {
                guard index < words.count else { throw .usage("option \(word) needs a value") }
                options[String(body)] = words[index]
                index += 1
            }
        }
    }

    func value(_ name: String) -> String? { options[name] }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// Throws for options not in `known`, so typos are reported instead of ignored.
    func rejectUnknown(_ known: Set<String>) throws(CLIError) {
        for name in options.keys.sorted() where !known.contains(name) { throw .usage("unknown option --\(name)") }
        for name in flags.sorted() where !known.contains(name) { throw .usage("unknown option --\(name)") }
    }

    func integer(_ name: String) throws(CLIError) -> Int? {
        guard let text = options[name] else { return nil }
        guard let value = Int(text) else { throw .usage("--\(name) must be a whole number, not '\(text)'") }
        return value
    }
}

/// What went wrong running a command, and how the process should exit.
public enum CLIError: Error, CustomStringConvertible {
    /// The command line is wrong; exit 2 after a hint to read the help.
    case usage(String)
    /// The node answered an AWS error.
    case api(type: String, status: Int, message: String)
    /// Anything else (connection refused, unreadable file).
    case failure(String)

    public var description: String {
        switch self {
        case .usage(let message): "error: \(message)\nRun 'swiftlet --help' for usage."
        case .api(let type, let status, let message): "error: \(type) (HTTP \(status)): \(message)"
        case .failure(let message): "error: \(message)"
        }
    }

    public var exitCode: Int32 {
        switch self {
        case .usage: 2
        case .api, .failure: 1
        }
    }
}
