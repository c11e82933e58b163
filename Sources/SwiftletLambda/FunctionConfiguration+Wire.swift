import Foundation
import SwiftletModel
import SwiftletSystem

extension FunctionRecord {
    /// The `FunctionConfiguration` shape of the Lambda API.
    func wireConfiguration() -> [String: Any] {
        let configuration = configuration
        var wire: [String: Any] = [
            "FunctionName": configuration.name,
            "FunctionArn": ARN.function(
                region: region, account: accountId, name: configuration.name,
                qualifier: configuration.version == "$LATEST" ? nil : configuration.version),
            "Runtime": configuration.runtime,
            "Role": configuration.role,
            "Handler": configuration.handler,
            "CodeSize": configuration.code.size,
            "Description": configuration.description,
            "Timeout": configuration.timeout,
            "MemorySize": configuration.memorySize,
            "LastModified": Timestamp.lambda(configuration.lastModified),
            "CodeSha256": configuration.code.sha256Base64,
            "Version": configuration.version,
            "TracingConfig": ["Mode": configuration.tracingMode],
            "RevisionId": configuration.revisionId,
            "State": configuration.state.rawValue,
            "LastUpdateStatus": configuration.lastUpdateStatus.rawValue,
            "PackageType": "Zip",
            "Architectures": configuration.architectures,
            "EphemeralStorage": ["Size": configuration.ephemeralStorage],
            "SnapStart": ["ApplyOn": "None", "OptimizationStatus": "Off"],
            "LoggingConfig": ["LogFormat": configuration.logFormat, "LogGroup": configuration.logGroup],
        ]
        if let environment = configuration.environment {
            wire["Environment"] = ["Variables": environment]
        }
        return wire
    }
}
