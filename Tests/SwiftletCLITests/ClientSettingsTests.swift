import Foundation
import Testing

@testable import SwiftletCLI

@Suite("ClientSettings")
struct ClientSettingsTests {
    /// A home folder with `~/.aws/credentials` and `~/.aws/config`, removed afterwards.
    private func withHome(_ body: (String) throws -> Void) throws {
        let home = NSTemporaryDirectory() + "swiftlet-cli-home-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        try Data(
            """
            [default]
            aws_access_key_id = AKIDFILE
            aws_secret_access_key = filesecret
            [dev]
            aws_access_key_id = AKIDDEV
            aws_secret_access_key = devsecret
            aws_session_token = devtoken
            """.utf8
        ).write(to: URL(fileURLWithPath: home + "/.aws/credentials"))
        try Data(
            """
            [default]
            region = ap-south-1
            [profile dev]
            region = eu-west-1
            endpoint_url = http://127.0.0.1:9100
            """.utf8
        ).write(to: URL(fileURLWithPath: home + "/.aws/config"))
        try body(home)
    }

    @Test func defaultProfileComesFromTheFiles() throws {
        try withHome { home in
            let settings = try ClientSettings.resolve(try Arguments([], flagNames: []), environment: ["HOME": home])
            #expect(settings.endpoint == "http://127.0.0.1:9000")
            #expect(settings.region == "ap-south-1")
            #expect(settings.credentials.accessKeyId == "AKIDFILE")
            #expect(settings.credentials.sessionToken == nil)
        }
    }

    @Test func namedProfileReadsItsConfigSection() throws {
        try withHome { home in
            let arguments = try Arguments(["--profile", "dev"], flagNames: [])
            let settings = try ClientSettings.resolve(arguments, environment: ["HOME": home])
            #expect(settings.region == "eu-west-1")
            #expect(settings.endpoint == "http://127.0.0.1:9100")
            #expect(settings.credentials.secretAccessKey == "devsecret")
            #expect(settings.credentials.sessionToken == "devtoken")
        }
    }

    @Test func environmentOverridesFilesAndOptionsOverrideEnvironment() throws {
        try withHome { home in
            let environment = [
                "HOME": home, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret",
                "AWS_REGION": "us-west-2", "AWS_ENDPOINT_URL": "http://127.0.0.1:9200",
            ]
            let fromEnvironment = try ClientSettings.resolve(try Arguments([], flagNames: []), environment: environment)
            #expect(fromEnvironment.credentials.accessKeyId == "AKIDENV")
            #expect(fromEnvironment.region == "us-west-2")
            #expect(fromEnvironment.endpoint == "http://127.0.0.1:9200")

            let arguments = try Arguments(
                ["--region", "eu-north-1", "--endpoint-url", "http://127.0.0.1:9300"], flagNames: [])
            let fromOptions = try ClientSettings.resolve(arguments, environment: environment)
            #expect(fromOptions.region == "eu-north-1")
            #expect(fromOptions.endpoint == "http://127.0.0.1:9300")
        }
    }

    @Test func lambdaSpecificEndpointWinsOverTheGeneralOne() throws {
        try withHome { home in
            let environment = [
                "HOME": home, "AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_LAMBDA": "http://127.0.0.1:2",
            ]
            let settings = try ClientSettings.resolve(try Arguments([], flagNames: []), environment: environment)
            #expect(settings.endpoint == "http://127.0.0.1:2")
        }
    }

    @Test func missingCredentialsAreAFailureNamingTheProfile() throws {
        try withHome { home in
            let arguments = try Arguments(["--profile", "absent"], flagNames: [])
            #expect {
                try ClientSettings.resolve(arguments, environment: ["HOME": home])
            } throws: { error in
                guard case .failure(let message) = error as? CLIError else { return false }
                return message.contains("profile 'absent'")
            }
        }
    }
}
