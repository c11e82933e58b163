import Foundation
import SwiftletSystem

/// A named pointer to a function version, with an optional second version that receives a share of invocations.
public struct FunctionAlias: Sendable, Equatable {
    public var accountId: String
    public var region: String
    /// The function's name.
    public var functionName: String
    /// The alias's name, such as `live`.
    public var name: String
    /// A published version number or `$LATEST`.
    public var functionVersion: String
    public var description: String
    /// `RoutingConfig.AdditionalVersionWeights`: version number to the share of invocations it receives.
    public var additionalVersionWeights: [String: Double]
    /// Changes on every update; `UpdateAlias` can require it as a precondition.
    public var revisionId: String

    public init(
        accountId: String, region: String, functionName: String, name: String, functionVersion: String,
        description: String = "", additionalVersionWeights: [String: Double] = [:], revisionId: String
    ) {
        self.accountId = accountId
        self.region = region
        self.functionName = functionName
        self.name = name
        self.functionVersion = functionVersion
        self.description = description
        self.additionalVersionWeights = additionalVersionWeights
        self.revisionId = revisionId
    }

    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME:ALIAS`.
    public var arn: String {
        ARN.function(region: region, account: accountId, name: functionName, qualifier: name)
    }

    /// Every version the alias can run.
    public var versions: Set<String> {
        Set([functionVersion]).union(additionalVersionWeights.keys)
    }

    /// The version one invocation runs: an additional version with probability equal to its weight, otherwise
    /// `functionVersion`. `draw` is uniform in [0, 1).
    public func version(forDraw draw: Double) -> String {
        var threshold = 0.0
        for (version, weight) in additionalVersionWeights.sorted(by: { $0.key < $1.key }) {
            threshold += weight
            if draw < threshold { return version }
        }
        return functionVersion
    }

    /// The fields kept in storage besides the key.
    public func storageDocument() -> JSONValue {
        .members([
            ("FunctionVersion", .string(functionVersion)),
            ("Description", .string(description)),
            (
                "AdditionalVersionWeights",
                .object(additionalVersionWeights.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) })
            ),
            ("RevisionId", .string(revisionId)),
        ])
    }

    /// Rebuilds an alias from its key and its stored document.
    public init(
        accountId: String, region: String, functionName: String, name: String, storageDocument document: JSONValue
    ) {
        var weights: [String: Double] = [:]
        if case .object(let members)? = document["AdditionalVersionWeights"] {
            for (version, value) in members {
                switch value {
                case .number(let weight): weights[version] = weight
                case .integer(let weight): weights[version] = Double(weight)
                default: continue
                }
            }
        }
        self.init(
            accountId: accountId, region: region, functionName: functionName, name: name,
            functionVersion: document["FunctionVersion"]?.stringValue ?? "$LATEST",
            description: document["Description"]?.stringValue ?? "", additionalVersionWeights: weights,
            revisionId: document["RevisionId"]?.stringValue ?? "")
    }
}
