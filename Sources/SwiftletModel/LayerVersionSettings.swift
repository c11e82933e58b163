/// The fields PublishLayerVersion takes besides the zip, and the rules the model sets for them.
public struct LayerVersionSettings: Sendable, Equatable {
    public var description: String?
    public var licenseInfo: String?
    public var compatibleRuntimes: [String]?
    public var compatibleArchitectures: [String]?

    public init(
        description: String? = nil, licenseInfo: String? = nil, compatibleRuntimes: [String]? = nil,
        compatibleArchitectures: [String]? = nil
    ) {
        self.description = description
        self.licenseInfo = licenseInfo
        self.compatibleRuntimes = compatibleRuntimes
        self.compatibleArchitectures = compatibleArchitectures
    }

    /// The model's `Runtime` enum, which `CompatibleRuntimes` and the `CompatibleRuntime` filter take. Wider than
    /// the runtimes a function can use: a layer may name runtimes this node cannot run.
    public static let runtimes: [String] = [
        "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x",
        "nodejs18.x", "nodejs20.x", "nodejs22.x", "nodejs24.x", "java8", "java8.al2", "java11", "java17", "java21",
        "java25", "python2.7", "python3.6", "python3.7", "python3.8", "python3.9", "python3.10", "python3.11",
        "python3.12", "python3.13", "python3.14", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1",
        "dotnet6", "dotnet8", "dotnet10", "nodejs4.3-edge", "go1.x", "ruby2.5", "ruby2.7", "ruby3.2", "ruby3.3",
        "ruby3.4", "ruby4.0", "provided", "provided.al2", "provided.al2023", "nodejs26.x", "python3.15",
        "java8.al2023", "java11.al2023", "java17.al2023", "custom",
    ]

    /// The model's `Architecture` enum.
    public static let architectures = ["x86_64", "arm64"]

    /// Most entries of `CompatibleRuntimes`.
    public static let runtimeCount = 15
    /// Most entries of `CompatibleArchitectures`.
    public static let architectureCount = 2
    /// Longest `LicenseInfo`.
    public static let licenseLength = 512

    /// Every field-format violation, reported together in one `ValidationException` as AWS does.
    public func violations(limits: Limits) -> [ValidationViolation] {
        var violations: [ValidationViolation] = []
        if let description, description.count > limits.descriptionLength {
            violations.append(
                .value(
                    description, at: "description",
                    "Member must have length less than or equal to \(limits.descriptionLength)"))
        }
        if let licenseInfo, licenseInfo.count > Self.licenseLength {
            violations.append(
                .value(
                    licenseInfo, at: "licenseInfo",
                    "Member must have length less than or equal to \(Self.licenseLength)"
                ))
        }
        if let compatibleRuntimes {
            violations += Self.listViolations(
                compatibleRuntimes, field: "compatibleRuntimes", allowed: Self.runtimes, maxCount: Self.runtimeCount)
        }
        if let compatibleArchitectures {
            violations += Self.listViolations(
                compatibleArchitectures, field: "compatibleArchitectures", allowed: Self.architectures,
                maxCount: Self.architectureCount)
        }
        return violations
    }

    /// The violation of a `CompatibleRuntime` or `CompatibleArchitecture` filter value, or nil.
    public static func filterViolation(_ value: String, field: String, allowed: [String]) -> ValidationViolation? {
        guard !allowed.contains(value) else { return nil }
        return .value(value, at: field, "Member must satisfy enum value set: [\(allowed.joined(separator: ", "))]")
    }

    private static func listViolations(
        _ values: [String], field: String, allowed: [String], maxCount: Int
    ) -> [ValidationViolation] {
        let rendered = "'[\(values.joined(separator: ", "))]'"
        var violations: [ValidationViolation] = []
        if values.count > maxCount {
            violations.append(
                ValidationViolation(
                    renderedValue: rendered, field: field,
                    constraint: "Member must have length less than or equal to \(maxCount)"))
        }
        if values.contains(where: { !allowed.contains($0) }) {
            violations.append(
                ValidationViolation(
                    renderedValue: rendered, field: field,
                    constraint: "Member must satisfy constraint: [Member must satisfy enum value set: ["
                        + allowed.joined(separator: ", ") + "]]"))
        }
        return violations
    }
}
