import Foundation
import SwiftletSystem

/// `swiftlet deploy NAME --runtime R --handler H PATH`: creates the function, or updates its code and settings.
enum DeployCommand {
    static let help = """
        Usage: swiftlet deploy NAME --runtime RUNTIME --handler HANDLER PATH [options]

        Creates function NAME from PATH, a folder (zipped for you) or a .zip file. If the function exists, its code
        is replaced and the given settings are applied.

        Options:
          --runtime RUNTIME     for example python3.12, nodejs20.x, provided.al2023
          --handler HANDLER     for example app.handler
          --role ARN            execution role (default arn:aws:iam::000000000000:role/swiftlet-default)
          --memory MB           memory size, 128 to 10240 (default 128)
          --timeout SECONDS     timeout, 1 to 900 (default 3)
          --env KEY=VALUE,...   environment variables
          --description TEXT    description
        \(commonClientOptions)
        """

    static let commonClientOptions = """
          --endpoint-url URL    the node (default $AWS_ENDPOINT_URL, else http://127.0.0.1:9000)
          --region REGION       region to work in (default $AWS_REGION, else the profile's, else us-east-1)
          --profile NAME        credentials profile from ~/.aws
        """

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, flagNames: [])
        try arguments.rejectUnknown([
            "runtime", "handler", "role", "memory", "timeout", "env", "description", "endpoint-url", "region",
            "profile",
        ])
        guard arguments.positional.count == 2 else {
            throw CLIError.usage(
                "deploy takes a function name and a path: swiftlet deploy NAME --runtime R --handler H PATH")
        }
        let name = arguments.positional[0]
        let path = arguments.positional[1]
        guard let runtime = arguments.value("runtime") else { throw CLIError.usage("deploy needs --runtime") }
        guard let handler = arguments.value("handler") else { throw CLIError.usage("deploy needs --handler") }

        let zip = try packageZip(at: path)
        let client = try LambdaClient(settings: ClientSettings.resolve(arguments))
        var settings: [String: Any] = ["Runtime": runtime, "Handler": handler]
        if let role = arguments.value("role") { settings["Role"] = role }
        if let memory = try arguments.integer("memory") { settings["MemorySize"] = memory }
        if let timeout = try arguments.integer("timeout") { settings["Timeout"] = timeout }
        if let description = arguments.value("description") { settings["Description"] = description }
        if let env = arguments.value("env") { settings["Environment"] = ["Variables": try parseEnvironment(env)] }

        let encodedZip = zip.base64EncodedString()
        var create = settings
        create["FunctionName"] = name
        create["Role"] = settings["Role"] ?? "arn:aws:iam::000000000000:role/swiftlet-default"
        create["Code"] = ["ZipFile": encodedZip]
        var result = try createIfMissing(client, create)
        var verb = "created"
        if result == nil {
            try client.call("PUT", "/2015-03-31/functions/\(name)/code", json: ["ZipFile": encodedZip])
            result = try client.call("PUT", "/2015-03-31/functions/\(name)/configuration", json: settings)
            verb = "updated"
        }
        guard let result else { return 1 }
        let size = result["CodeSize"].map { "\($0)" } ?? "?"
        print("\(verb) \(result["FunctionArn"] ?? name)")
        print(
            "  runtime \(result["Runtime"] ?? runtime), handler \(result["Handler"] ?? handler), code \(size) bytes, "
                + "sha256 \(result["CodeSha256"] ?? "?")")
        return 0
    }

    /// Creates the function; nil when one of that name exists already.
    static func createIfMissing(_ client: LambdaClient, _ request: [String: Any]) throws(CLIError) -> [String: Any]? {
        do {
            return try client.call("POST", "/2015-03-31/functions", json: request)
        } catch {
            if case .api(let type, _, _) = error, type == "ResourceConflictException" { return nil }
            throw error
        }
    }

    /// The zip to upload: the file itself, or the folder zipped.
    static func packageZip(at path: String) throws(CLIError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .failure("\(path) does not exist")
        }
        if isDirectory.boolValue {
            do {
                return try ZipArchive.create(fromDirectory: path)
            } catch {
                throw .failure("cannot zip \(path): \(error)")
            }
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw .failure("cannot read \(path)") }
        return data
    }

    /// `A=1,B=2` into a dictionary.
    static func parseEnvironment(_ text: String) throws(CLIError) -> [String: String] {
        var variables: [String: String] = [:]
        for pair in text.split(separator: ",") {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw .usage("--env takes KEY=VALUE pairs separated by commas, not '\(pair)'")
            }
            variables[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return variables
    }
}
