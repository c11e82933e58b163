/// A layer named the way the layer operations let callers name it: a bare name or a layer ARN, and for
/// `Layers` and GetLayerVersionByArn a layer version ARN.
public struct LayerReference: Sendable, Equatable {
    /// The bare layer name.
    public var name: String
    /// The account named by an ARN, if any.
    public var accountId: String?
    /// The region named by an ARN, if any.
    public var region: String?
    /// The version of a layer version ARN.
    public var version: Int?
    /// True for `arn:...:lambda:::awslayer:NAME`, a layer AWS itself provides, which no node has.
    public var isAWSManaged: Bool

    public init(
        name: String, accountId: String? = nil, region: String? = nil, version: Int? = nil,
        isAWSManaged: Bool = false
    ) {
        self.name = name
        self.accountId = accountId
        self.region = region
        self.version = version
        self.isAWSManaged = isAWSManaged
    }

    /// The model's `LayerNameOrArn` pattern, quoted when a layer name is malformed.
    public static let nameOrArnPattern =
        "(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:"
        + "[a-zA-Z0-9-_]{1,140}|[a-zA-Z0-9-_]{1,140})"

    /// The model's `LayerVersionArn` pattern, quoted when a layer version ARN is malformed.
    public static let versionArnPattern =
        "((arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:"
        + "[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+))"

    /// Longest layer name.
    public static let nameLength = 140
    /// Longest `LayerNameOrArn` and `LayerVersionArn`.
    public static let arnLength = 2048

    /// Parses a `LayerName` path parameter: a name or an unversioned layer ARN.
    public static func parseName(_ text: String, field: String = "layerName") -> Result<LayerReference, AWSError> {
        var violations = lengthViolations(text, field: field)
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var reference: LayerReference?
        if parts.count == 1 {
            if isName(text) { reference = LayerReference(name: text) }
        } else if parts.count == 7, let parsed = arnPrefix(parts) {
            reference = parsed
        }
        if reference == nil {
            violations.append(
                .value(text, at: field, "Member must satisfy regular expression pattern: \(nameOrArnPattern)"))
        }
        guard violations.isEmpty, let reference else { return .failure(.validation(violations)) }
        return .success(reference)
    }

    /// Parses a layer version ARN as `Layers` and GetLayerVersionByArn take it.
    public static func parseVersionArn(_ text: String, field: String = "arn") -> Result<LayerReference, AWSError> {
        if let violation = versionArnViolation(text, field: field) { return .failure(.validation([violation])) }
        return .success(versionArn(text)!)
    }

    /// The violation AWS reports for a malformed layer version ARN, or nil when it is well formed.
    public static func versionArnViolation(_ text: String, field: String) -> ValidationViolation? {
        if let violation = lengthViolations(text, field: field).first { return violation }
        if versionArn(text) == nil {
            return .value(text, at: field, "Member must satisfy regular expression pattern: \(versionArnPattern)")
        }
        return nil
    }

    /// The violation of a `Layers` list whose entries are not all layer version ARNs, as AWS reports it for the
    /// whole list; empty when every entry is well formed.
    public static func listViolations(_ arns: [String], field: String = "layers") -> [ValidationViolation] {
        guard arns.contains(where: { versionArnViolation($0, field: field) != nil }) else { return [] }
        return [
            ValidationViolation(
                renderedValue: "'[\(arns.joined(separator: ", "))]'", field: field,
                constraint: "Member must satisfy constraint: [Member must have length less than or equal to "
                    + "\(arnLength), Member must have length greater than or equal to 1, Member must satisfy "
                    + "regular expression pattern: \(versionArnPattern), Member must not be null]")
        ]
    }

    private static func versionArn(_ text: String) -> LayerReference? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 7, parts[0] == "arn", !parts[1].isEmpty,
            parts[1].utf8.allSatisfy({ isAlphanumeric($0) || $0 == 0x2d }), parts[2] == "lambda", parts[3].isEmpty,
            parts[4].isEmpty, parts[5] == "awslayer", FunctionReference.isName(parts[6])
        {
            return LayerReference(name: parts[6], isAWSManaged: true)
        }
        guard parts.count == 8, var reference = arnPrefix(Array(parts.prefix(7)), nameLength: nil),
            !parts[7].isEmpty, parts[7].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return nil }
        reference.version = Int(parts[7]) ?? Int.max
        return reference
    }

    /// `arn:(aws[a-zA-Z-]*)?:lambda:REGION:ACCOUNT:layer:NAME`, already split on colons.
    private static func arnPrefix(_ parts: [String], nameLength: Int? = LayerReference.nameLength) -> LayerReference? {
        guard parts.count == 7, parts[0] == "arn", parts[2] == "lambda", parts[5] == "layer" else { return nil }
        let partition = parts[1]
        guard partition.isEmpty || (partition.hasPrefix("aws") && partition.allSatisfy({ $0.isLetter || $0 == "-" }))
        else { return nil }
        let region = parts[3].hasPrefix("eusc-") ? String(parts[3].dropFirst(5)) : parts[3]
        guard FunctionReference.isRegion(region), FunctionReference.isAccount(parts[4]),
            FunctionReference.isName(parts[6])
        else {
            return nil
        }
        if let nameLength, parts[6].count > nameLength { return nil }
        return LayerReference(name: parts[6], accountId: parts[4], region: parts[3])
    }

    private static func lengthViolations(_ text: String, field: String) -> [ValidationViolation] {
        if text.isEmpty { return [.value(text, at: field, "Member must have length greater than or equal to 1")] }
        if text.count > arnLength {
            return [.value(text, at: field, "Member must have length less than or equal to \(arnLength)")]
        }
        return []
    }

    /// `[a-zA-Z0-9-_]{1,140}`
    public static func isName(_ text: String) -> Bool {
        text.count <= nameLength && FunctionReference.isName(text)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
    }
}
