import Foundation
import SwiftletModel
import SwiftletSystem

extension FunctionRecord {
    /// The `FunctionConfiguration` shape of the Lambda API, members in the order AWS writes them. `alias`, when
    /// the request named the function through one, qualifies `FunctionArn` instead of the version.
    func wireConfiguration(alias: String? = nil) -> JSONValue {
        let configuration = configuration
        let qualifier = alias ?? (configuration.version == "$LATEST" ? nil : configuration.version)
        return .members([
            ("FunctionName", .string(configuration.name)),
            (
                "FunctionArn",
                .string(
                    ARN.function(
                        region: region, account: accountId, name: configuration.name,
                        qualifier: qualifier))
            ),
            ("Runtime", .string(configuration.runtime)),
            ("Role", .string(configuration.role)),
            ("Handler", .string(configuration.handler)),
            ("CodeSize", .integer(configuration.code.size)),
            ("Description", .string(configuration.description)),
            ("Timeout", .integer(Int64(configuration.timeout))),
            ("MemorySize", .integer(Int64(configuration.memorySize))),
            ("LastModified", .string(Timestamp.lambda(configuration.lastModified))),
            ("CodeSha256", .string(configuration.code.sha256Base64)),
            ("Version", .string(configuration.version)),
            ("Environment", configuration.environment.map { .object([("Variables", .stringMap($0))]) }),
            ("TracingConfig", .object([("Mode", .string(configuration.tracingMode))])),
            ("DeadLetterConfig", configuration.deadLetterTarget.map { .object([("TargetArn", .string($0))]) }),
            ("RevisionId", .string(configuration.revisionId)),
            (
                "Layers",
                configuration.layers.isEmpty
                    ? nil
                    : .array(
                        configuration.layers.map {
                            .object([("Arn", .string($0.arn)), ("CodeSize", .integer($0.codeSize))])
                        })
            ),
            ("State", .string(configuration.state.rawValue)),
            ("LastUpdateStatus", .string(configuration.lastUpdateStatus.rawValue)),
            ("PackageType", .string("Zip")),
            ("Architectures", .array(configuration.architectures.map { .string($0) })),
            ("EphemeralStorage", .object([("Size", .integer(Int64(configuration.ephemeralStorage)))])),
            ("SnapStart", .object([("ApplyOn", .string("None")), ("OptimizationStatus", .string("Off"))])),
            (
                "LoggingConfig",
                .object([
                    ("LogFormat", .string(configuration.logFormat)), ("LogGroup", .string(configuration.logGroup)),
                ])
            ),
        ])
    }
}
