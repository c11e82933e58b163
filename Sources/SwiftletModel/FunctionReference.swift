/// A function named the way the Lambda API lets callers name it: `my-function`,
/// `123456789012:function:my-function`, or a full ARN, each with an optional `:qualifier`.
public struct FunctionReference: Sendable, Equatable {
    /// The bare function name.
    public var name: String
    /// The version or alias after the name, if any.
    public var qualifier: String?
    /// The account named in the reference, if any.
    public var accountId: String?
    /// The region named in the reference, if any.
    public var region: String?

    public init(name: String, qualifier: String? = nil, accountId: String? = nil, region: String? = nil) {
        self.name = name
        self.qualifier = qualifier
        self.accountId = accountId
        self.region = region
    }

    /// The pattern AWS quotes when a function name is malformed.
    public static let namePattern =
        "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?"
        + "([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"

    /// The violations AWS would report for `text` at `field`; empty when it parses.
    public static func violations(
        _ text: String, field: String = "functionName", maxLength: Int = 140
    )
        -> [ValidationViolation]
    {
        if text.isEmpty { return [.value(text, at: field, "Member must have length greater than or equal to 1")] }
        var violations: [ValidationViolation] = []
        if text.count > maxLength {
            violations.append(.value(text, at: field, "Member must have length less than or equal to \(maxLength)"))
        }
        if match(text) == nil {
            violations.append(.value(text, at: field, "Member must satisfy regular expression pattern: \(namePattern)"))
        }
        return violations
    }

    /// Parses `text`, or returns the violations AWS would report for it at `field`.
    /// - Parameter maxLength: 140 where the API takes `FunctionName`, 256 where it takes a namespaced name.
    public static func parse(
        _ text: String, field: String = "functionName", maxLength: Int = 140
    )
        -> Result<FunctionReference, AWSError>
    {
        var violations: [ValidationViolation] = []
        if text.isEmpty {
            return .failure(
                .validation([.value(text, at: field, "Member must have length greater than or equal to 1")]))
        }
        if text.count > maxLength {
            violations.append(
                .value(text, at: field, "Member must have length less than or equal to \(maxLength)"))
        }
        guard let reference = match(text) else {
            violations.append(
                .value(text, at: field, "Member must satisfy regular expression pattern: \(namePattern)"))
            return .failure(.validation(violations))
        }
        guard violations.isEmpty else { return .failure(.validation(violations)) }
        return .success(reference)
    }

    /// Matches the pattern by hand: the parts are separated by colons, so a split reads them in order.
    private static func match(_ text: String) -> FunctionReference? {
        var parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var reference = FunctionReference(name: "")
        if parts.first == "arn" {
            guard parts.count >= 6, parts[1].hasPrefix("aws"), parts[1].allSatisfy({ $0.isLetter || $0 == "-" }),
                parts[2] == "lambda", isRegion(parts[3]), isAccount(parts[4]), parts[5] == "function"
            else { return nil }
            reference.region = parts[3]
            reference.accountId = parts[4]
            parts.removeFirst(6)
        } else if parts.count >= 3, isAccount(parts[0]), parts[1] == "function" {
            reference.accountId = parts[0]
            parts.removeFirst(2)
        } else if parts.count >= 2, parts[0] == "function" {
            parts.removeFirst(1)
        }
        guard let name = parts.first, isName(name), parts.count <= 2 else { return nil }
        reference.name = name
        if parts.count == 2 {
            let qualifier = parts[1]
            guard qualifier == "$LATEST" || (!qualifier.isEmpty && isName(qualifier)) else { return nil }
            reference.qualifier = qualifier
        }
        return reference
    }

    /// `[a-zA-Z0-9-_]+`
    public static func isName(_ text: String) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                    || byte == 0x2d || byte == 0x5f
            }
    }

    /// `[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}`
    public static func isRegion(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts.count <= 4 else { return false }
        let lower: (Substring) -> Bool = { !$0.isEmpty && $0.allSatisfy { $0 >= "a" && $0 <= "z" } }
        guard parts[0].count == 2, lower(parts[0]) else { return false }
        guard let last = parts.last, last.count == 1, let digit = last.first?.asciiValue, digit >= 0x30, digit <= 0x39
        else { return false }
        if parts.count == 4 {
            let infix = parts[1]
            guard infix == "gov" || (infix.hasPrefix("iso") && infix.count <= 4 && lower(infix)) else { return false }
        }
        return lower(parts[parts.count - 2])
    }

    /// `\d{12}`
    public static func isAccount(_ text: String) -> Bool {
        text.utf8.count == 12 && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}

/// Amazon Resource Names for Lambda resources.
public enum ARN {
    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`
    public static func function(region: String, account: String, name: String, qualifier: String? = nil) -> String {
        let base = "arn:aws:lambda:\(region):\(account):function:\(name)"
        guard let qualifier else { return base }
        return "\(base):\(qualifier)"
    }
}
