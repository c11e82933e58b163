/// The fields a caller sets on CreateFunction or UpdateFunctionConfiguration; nil means "not given".
public struct FunctionSettings: Sendable, Equatable {
    public var runtime: String?
    public var role: String?
    public var handler: String?
    public var description: String?
    public var timeout: Int?
    public var memorySize: Int?
    public var environment: [String: String]?
    /// The variables in the order the caller sent them, for AWS's size message.
    public var environmentOrder: [String]?
    public var ephemeralStorage: Int?
    public var architectures: [String]?

    public init() {}

    /// Checks every field against Lambda's constraints, in AWS's order: field-format violations first, together in
    /// one `ValidationException`, then the semantic checks that answer `InvalidParameterValueException`.
    public func validate(limits: Limits) -> AWSError? {
        let violations = violations(limits: limits)
        if !violations.isEmpty { return .validation(violations) }
        return semanticError(limits: limits)
    }

    /// The field-format violations, which AWS reports together in one `ValidationException`.
    public func violations(limits: Limits) -> [ValidationViolation] {
        var violations: [ValidationViolation] = []
        if let handler {
            if handler.count > 128 {
                violations.append(.value(handler, at: "handler", "Member must have length less than or equal to 128"))
            } else if handler.isEmpty || handler.contains(where: \.isWhitespace) {
                violations.append(
                    .value(handler, at: "handler", "Member must satisfy regular expression pattern: [^\\s]+"))
            }
        }
        if let role, !Self.isRoleARN(role) {
            violations.append(
                .value(
                    role, at: "role",
                    "Member must satisfy regular expression pattern: "
                        + "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"))
        }
        if let description, description.count > limits.descriptionLength {
            violations.append(
                .value(
                    description, at: "description",
                    "Member must have length less than or equal to \(limits.descriptionLength)"))
        }
        if let violation = Self.range(timeout, limits.timeout, at: "timeout") { violations.append(violation) }
        if let violation = Self.range(memorySize, limits.memorySize, at: "memorySize") { violations.append(violation) }
        if let violation = Self.range(ephemeralStorage, limits.ephemeralStorage, at: "ephemeralStorage.size") {
            violations.append(violation)
        }
        if let architectures {
            if architectures.count != 1 {
                violations.append(
                    ValidationViolation(
                        renderedValue: "'[\(architectures.joined(separator: ", "))]'", field: "architectures",
                        constraint: "Member must have length less than or equal to 1 and greater than or equal to 1"))
            } else if !["x86_64", "arm64"].contains(architectures[0]) {
                violations.append(
                    ValidationViolation(
                        renderedValue: "'[\(architectures[0])]'", field: "architectures",
                        constraint: "Member must satisfy constraint: "
                            + "[Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"))
            }
        }
        if let environment {
            let badNames = environment.keys.filter { !Self.isVariableName($0) }.sorted()
            if !badNames.isEmpty {
                violations.append(
                    ValidationViolation(
                        renderedValue: "'[\(badNames.joined(separator: ", "))]'", field: "environment.variables",
                        constraint: "Map keys must satisfy constraint: "
                            + "[Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]"))
            }
        }
        return violations
    }

    /// The first semantic problem (`InvalidParameterValueException`), checked once the formats are right.
    public func semanticError(limits: Limits) -> AWSError? {
        if let runtime, let rejection = RuntimeCatalog.rejection(of: runtime) { return rejection }
        if let architectures, architectures != ["x86_64"] {
            let host = HostArchitecture.lambdaName
            if architectures[0] != host {
                return .invalidParameterValue(
                    "Architecture \(architectures[0]) is not available on this node, which runs \(host) code only.")
            }
        }
        if let environment {
            let reserved = EnvironmentRules.reservedKeys(in: environmentOrder ?? environment.keys.sorted())
                .filter { environment[$0] != nil }
            if !reserved.isEmpty {
                return .invalidParameterValue(
                    "Lambda was unable to configure your environment variables because the environment variables you "
                        + "have provided contains reserved keys that are currently not supported for modification. "
                        + "Reserved keys used in this request: \(reserved.joined(separator: ", "))")
            }
            let measured = EnvironmentRules.measure(environment, order: environmentOrder)
            if measured.utf8.count > limits.environmentBytes {
                return .invalidParameterValue(
                    "Lambda was unable to configure your environment variables because the environment variables you "
                        + "have provided exceeded the 4KB limit. String measured: \(measured)")
            }
        }
        return nil
    }

    private static func range(_ value: Int?, _ range: ClosedRange<Int>, at field: String) -> ValidationViolation? {
        guard let value else { return nil }
        if value < range.lowerBound {
            return .value(
                String(value), at: field, "Member must have value greater than or equal to \(range.lowerBound)")
        }
        if value > range.upperBound {
            return .value(String(value), at: field, "Member must have value less than or equal to \(range.upperBound)")
        }
        return nil
    }

    /// `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`
    public static func isRoleARN(_ text: String) -> Bool {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[3].isEmpty else { return false }
        let partition = parts[1]
        guard partition.isEmpty || (partition.hasPrefix("aws") && partition.allSatisfy({ $0.isLetter || $0 == "-" }))
        else { return false }
        guard FunctionReference.isAccount(String(parts[4])), parts[5].hasPrefix("role") else { return false }
        var rest = parts[5].dropFirst(4)
        if rest.hasPrefix("/") { rest = rest.dropFirst() }
        let allowed = Set("+=,.@-_/")
        return !rest.isEmpty && rest.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || allowed.contains($0) }
    }

    /// `[a-zA-Z]([a-zA-Z0-9_])+`
    public static func isVariableName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 2 else { return false }
        let isLetter: (UInt8) -> Bool = { ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) }
        guard isLetter(bytes[0]) else { return false }
        return bytes.dropFirst().allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5f }
    }
}

/// Rules for a function's environment variables.
public enum EnvironmentRules {
    /// Variables Lambda sets itself and callers may not.
    public static let reserved: Set<String> = [
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    ]

    /// The reserved names among `names`, in the given order.
    public static func reservedKeys(in names: [String]) -> [String] {
        names.filter { reserved.contains($0) }
    }

    /// The compact JSON of the variables, which is what Lambda measures against its 4 KB limit.
    public static func measure(_ variables: [String: String], order: [String]?) -> String {
        let keys = order ?? variables.keys.sorted()
        let pairs = keys.compactMap { key in variables[key].map { "\(quote(key)):\(quote($0))" } }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    private static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// The machine's architecture in Lambda's words.
public enum HostArchitecture {
    #if arch(arm64)
        public static let lambdaName = "arm64"
    #else
        public static let lambdaName = "x86_64"
    #endif
}
