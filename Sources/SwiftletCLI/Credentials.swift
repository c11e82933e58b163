import Foundation
import SwiftletHTTP

/// Where the client commands send requests, and as whom.
struct ClientSettings {
    var endpoint: String
    var region: String
    var credentials: SigV4.Credentials

    /// Resolves settings the way the AWS CLI does: options, then environment variables, then `~/.aws` files.
    static func resolve(
        _ arguments: Arguments, service: String = "lambda",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(CLIError) -> ClientSettings {
        let profile = arguments.value("profile") ?? environment["AWS_PROFILE"] ?? "default"
        let home = environment["HOME"] ?? NSHomeDirectory()
        let credentialsFile = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        let configFile = environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        let fromCredentials = IniFile.section(profile, in: credentialsFile)
        let fromConfig = IniFile.section(profile == "default" ? "default" : "profile \(profile)", in: configFile)

        let endpoint =
            arguments.value("endpoint-url") ?? environment["AWS_ENDPOINT_URL_\(service.uppercased())"]
            ?? environment["AWS_ENDPOINT_URL"]
            ?? fromConfig["endpoint_url"] ?? "http://127.0.0.1:9000"
        let region =
            arguments.value("region") ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"]
            ?? fromConfig["region"] ?? "us-east-1"

        let keyId: String?
        let secret: String?
        let token: String?
        if arguments.value("profile") == nil, let envKey = environment["AWS_ACCESS_KEY_ID"],
            let envSecret = environment["AWS_SECRET_ACCESS_KEY"]
        {
            (keyId, secret, token) = (envKey, envSecret, environment["AWS_SESSION_TOKEN"])
        } else {
            keyId = fromCredentials["aws_access_key_id"] ?? fromConfig["aws_access_key_id"]
            secret = fromCredentials["aws_secret_access_key"] ?? fromConfig["aws_secret_access_key"]
            token = fromCredentials["aws_session_token"] ?? fromConfig["aws_session_token"]
        }
        guard let keyId, let secret else {
            throw .failure(
                "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add profile "
                    + "'\(profile)' to \(credentialsFile)")
        }
        return ClientSettings(
            endpoint: endpoint, region: region,
            credentials: SigV4.Credentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token))
    }
}

/// Reads sections of the INI files under `~/.aws`.
enum IniFile {
    /// The keys of `[name]` in the file at `path`; empty when the file or the section is missing.
    static func section(_ name: String, in path: String) -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        return section(name, inText: text)
    }

    static func section(_ name: String, inText text: String) -> [String: String] {
        var current: String?
        var values: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard current == name, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            values[key] = value
        }
        return values
    }
}
