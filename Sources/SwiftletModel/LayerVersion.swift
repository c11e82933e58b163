import Foundation
import SwiftletSystem

/// One published version of a layer: an immutable zip with the metadata PublishLayerVersion took.
public struct LayerVersion: Sendable, Equatable {
    public var accountId: String
    public var region: String
    /// The layer's name, `[a-zA-Z0-9-_]{1,140}`.
    public var name: String
    /// Numbered from 1 per layer; a number is never handed out twice, even after its version is deleted.
    public var version: Int
    public var description: String
    /// Nil when the publisher gave none; AWS then leaves the member out.
    public var licenseInfo: String?
    public var compatibleRuntimes: [String]
    public var compatibleArchitectures: [String]
    public var code: CodeDescriptor
    public var created: Date
    /// Changes on every change of the version's permission policy, for optimistic concurrency.
    public var policyRevisionId: String

    public init(
        accountId: String, region: String, name: String, version: Int = 0, description: String = "",
        licenseInfo: String? = nil, compatibleRuntimes: [String] = [], compatibleArchitectures: [String] = [],
        code: CodeDescriptor, created: Date = Date(), policyRevisionId: String = Identifier.uuid()
    ) {
        self.accountId = accountId
        self.region = region
        self.name = name
        self.version = version
        self.description = description
        self.licenseInfo = licenseInfo
        self.compatibleRuntimes = compatibleRuntimes
        self.compatibleArchitectures = compatibleArchitectures
        self.code = code
        self.created = created
        self.policyRevisionId = policyRevisionId
    }

    /// `arn:aws:lambda:REGION:ACCOUNT:layer:NAME`
    public var layerArn: String { ARN.layer(region: region, account: accountId, name: name) }

    /// `arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`
    public var arn: String { ARN.layer(region: region, account: accountId, name: name, version: version) }

    /// What a function keeps of this version when it uses it.
    public var functionLayer: FunctionLayer {
        FunctionLayer(arn: arn, codeSize: code.size, sha256Hex: code.sha256Hex, unpackedSize: code.unpackedSize)
    }
}

/// The `CompatibleRuntime` and `CompatibleArchitecture` filters of ListLayers and ListLayerVersions.
public struct LayerFilter: Sendable, Equatable {
    /// Only versions that list this runtime.
    public var runtime: String?
    /// Only versions that list this architecture.
    public var architecture: String?

    public init(runtime: String? = nil, architecture: String? = nil) {
        self.runtime = runtime
        self.architecture = architecture
    }

    /// True when `version` passes both filters; a version that lists nothing passes only an absent filter.
    public func matches(_ version: LayerVersion) -> Bool {
        if let runtime, !version.compatibleRuntimes.contains(runtime) { return false }
        if let architecture, !version.compatibleArchitectures.contains(architecture) { return false }
        return true
    }
}

/// A layer version as a function configuration keeps it: enough to report it (`Arn`, `CodeSize`) and to find its
/// zip by digest when the function runs, even after the layer version itself was deleted.
public struct FunctionLayer: Sendable, Equatable {
    /// The layer version ARN the caller gave.
    public var arn: String
    /// Size of the layer's zip in bytes.
    public var codeSize: Int64
    /// SHA-256 of the zip, hexadecimal; names the stored blob.
    public var sha256Hex: String
    /// Bytes the zip expands to, counted against the function's unzipped limit.
    public var unpackedSize: Int64

    public init(arn: String, codeSize: Int64, sha256Hex: String, unpackedSize: Int64) {
        self.arn = arn
        self.codeSize = codeSize
        self.sha256Hex = sha256Hex
        self.unpackedSize = unpackedSize
    }
}

extension ARN {
    /// `arn:aws:lambda:REGION:ACCOUNT:layer:NAME[:VERSION]`
    public static func layer(region: String, account: String, name: String, version: Int? = nil) -> String {
        let base = "arn:aws:lambda:\(region):\(account):layer:\(name)"
        guard let version else { return base }
        return "\(base):\(version)"
    }
}
