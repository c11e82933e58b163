import Foundation
import SwiftletSystem

/// Lifecycle state of a function, as `State` reports it.
public enum FunctionState: String, Sendable {
    case pending = "Pending"
    case active = "Active"
    case inactive = "Inactive"
    case failed = "Failed"
}

/// Result of the last update, as `LastUpdateStatus` reports it.
public enum LastUpdateStatus: String, Sendable {
    case successful = "Successful"
    case inProgress = "InProgress"
    case failed = "Failed"
}

/// The code a function runs: a zip stored once per digest.
public struct CodeDescriptor: Sendable, Equatable {
    /// SHA-256 of the zip, hexadecimal; names the stored blob.
    public var sha256Hex: String
    /// SHA-256 of the zip, base64, as `CodeSha256` reports it.
    public var sha256Base64: String
    /// Size of the zip in bytes.
    public var size: Int64
    /// Sum of the sizes the zip's entries expand to.
    public var unpackedSize: Int64

    public init(sha256Hex: String, sha256Base64: String, size: Int64, unpackedSize: Int64) {
        self.sha256Hex = sha256Hex
        self.sha256Base64 = sha256Base64
        self.size = size
        self.unpackedSize = unpackedSize
    }
}

/// Everything that defines one version of a function.
public struct FunctionConfiguration: Sendable, Equatable {
    public var name: String
    public var runtime: String
    public var role: String
    public var handler: String
    public var description: String
    /// Seconds.
    public var timeout: Int
    /// MB.
    public var memorySize: Int
    /// The function's own variables; nil when none were ever set.
    public var environment: [String: String]?
    /// `/tmp` size in MB.
    public var ephemeralStorage: Int
    public var architectures: [String]
    public var code: CodeDescriptor
    public var lastModified: Date
    /// A new UUID on every change, for optimistic concurrency.
    public var revisionId: String
    public var state: FunctionState
    public var lastUpdateStatus: LastUpdateStatus
    /// `$LATEST` or a published version number.
    public var version: String
    /// The CloudWatch Logs group the function writes to.
    public var logGroup: String
    /// `Text` or `JSON`.
    public var logFormat: String = "Text"
    /// X-Ray mode: `PassThrough` or `Active`.
    public var tracingMode: String = "PassThrough"
    /// `DeadLetterConfig.TargetArn`: the SQS queue that receives asynchronous events that failed for good.
    public var deadLetterTarget: String?
    /// The layer versions the function uses, in the order they are applied; empty when none.
    public var layers: [FunctionLayer] = []

    public init(
        name: String, runtime: String, role: String, handler: String, description: String = "",
        timeout: Int = FunctionDefaults.timeout, memorySize: Int = FunctionDefaults.memorySize,
        environment: [String: String]? = nil, ephemeralStorage: Int = FunctionDefaults.ephemeralStorage,
        architectures: [String] = ["x86_64"], code: CodeDescriptor, lastModified: Date = Date(),
        revisionId: String = Identifier.uuid(), state: FunctionState = .active,
        lastUpdateStatus: LastUpdateStatus = .successful, version: String = "$LATEST", logGroup: String? = nil
    ) {
        self.name = name
        self.runtime = runtime
        self.role = role
        self.handler = handler
        self.description = description
        self.timeout = timeout
        self.memorySize = memorySize
        self.environment = environment
        self.ephemeralStorage = ephemeralStorage
        self.architectures = architectures
        self.code = code
        self.lastModified = lastModified
        self.revisionId = revisionId
        self.state = state
        self.lastUpdateStatus = lastUpdateStatus
        self.version = version
        self.logGroup = logGroup ?? "/aws/lambda/\(name)"
    }

    /// True when publishing `self` would give the same version as `other`: same code and settings, whatever the
    /// revision, time, description and version number.
    public func publishesSameAs(_ other: FunctionConfiguration) -> Bool {
        var left = self
        var right = other
        left.revisionId = ""
        right.revisionId = ""
        left.lastModified = Date(timeIntervalSince1970: 0)
        right.lastModified = left.lastModified
        left.description = ""
        right.description = ""
        left.version = ""
        right.version = ""
        return left == right
    }

    /// A throwaway configuration for checking settings before the real one can be built.
    public static var probe: FunctionConfiguration {
        FunctionConfiguration(
            name: "probe", runtime: "", role: "", handler: "",
            code: CodeDescriptor(sha256Hex: "", sha256Base64: "", size: 0, unpackedSize: 0))
    }

    /// Marks a change: a new revision and modification time.
    public mutating func touch(at date: Date = Date()) {
        lastModified = date
        revisionId = Identifier.uuid()
    }
}

/// Lambda's defaults for fields a caller leaves out.
public enum FunctionDefaults {
    public static let timeout = 3
    public static let memorySize = 128
    public static let ephemeralStorage = 512
}

/// A function as the store keeps it: where it lives, its configuration and its tags.
public struct FunctionRecord: Sendable, Equatable {
    public var accountId: String
    public var region: String
    public var configuration: FunctionConfiguration
    public var tags: [String: String]
    /// The highest version number ever published; numbers are never reused, even after a version is deleted.
    public var lastPublishedVersion: Int
    /// Concurrent executions set aside for this function, and its cap, across all its versions; nil when the
    /// function draws on the account's unreserved pool.
    public var reservedConcurrency: Int?

    public init(
        accountId: String, region: String, configuration: FunctionConfiguration, tags: [String: String] = [:],
        lastPublishedVersion: Int = 0, reservedConcurrency: Int? = nil
    ) {
        self.accountId = accountId
        self.region = region
        self.configuration = configuration
        self.tags = tags
        self.lastPublishedVersion = lastPublishedVersion
        self.reservedConcurrency = reservedConcurrency
    }

    /// The unqualified ARN.
    public var arn: String {
        ARN.function(region: region, account: accountId, name: configuration.name)
    }
}
