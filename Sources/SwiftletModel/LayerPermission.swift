import SwiftletSystem

/// One statement of a layer version's permission policy: who may use the version (`lambda:GetLayerVersion`).
public struct LayerPermission: Sendable, Equatable {
    /// `StatementId`, unique within the version's policy.
    public var statementId: String
    /// An account id, `*`, or `arn:aws:iam::ACCOUNT:root`.
    public var principal: String
    /// Limits a `*` grant to the accounts of one AWS Organization.
    public var organizationId: String?

    public init(statementId: String, principal: String, organizationId: String? = nil) {
        self.statementId = statementId
        self.principal = principal
        self.organizationId = organizationId
    }

    /// The only action a layer policy grants.
    public static let action = "lambda:GetLayerVersion"

    /// The model's patterns, quoted in `ValidationException` messages.
    public enum Pattern {
        public static let statementId = "([a-zA-Z0-9-_]+)"
        public static let action = "lambda:GetLayerVersion"
        public static let principal = "\\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root"
        public static let organizationId = "o-[a-z0-9]{10,32}"
    }

    /// Every field-format violation of an AddLayerVersionPermission request, together, as AWS reports them.
    public static func violations(
        statementId: String?, action: String?, principal: String?, organizationId: String?
    ) -> [ValidationViolation] {
        var violations: [ValidationViolation] = []
        if let statementId {
            violations += statementIdViolations(statementId)
        } else {
            violations.append(.missing("statementId"))
        }
        if let action {
            if action.count > 22 {
                violations.append(.value(action, at: "action", "Member must have length less than or equal to 22"))
            }
            if action != Pattern.action {
                violations.append(
                    .value(action, at: "action", "Member must satisfy regular expression pattern: \(Pattern.action)"))
            }
        } else {
            violations.append(.missing("action"))
        }
        if let principal {
            if !isPrincipal(principal) {
                violations.append(
                    .value(
                        principal, at: "principal",
                        "Member must satisfy regular expression pattern: \(Pattern.principal)"))
            }
        } else {
            violations.append(.missing("principal"))
        }
        if let organizationId {
            if organizationId.count > 34 {
                violations.append(
                    .value(organizationId, at: "organizationId", "Member must have length less than or equal to 34"))
            }
            if !isOrganizationId(organizationId) {
                violations.append(
                    .value(
                        organizationId, at: "organizationId",
                        "Member must satisfy regular expression pattern: \(Pattern.organizationId)"))
            }
        }
        return violations
    }

    /// The violations of a `StatementId`: 1 to 100 name characters.
    public static func statementIdViolations(_ text: String) -> [ValidationViolation] {
        if text.isEmpty {
            return [.value(text, at: "statementId", "Member must have length greater than or equal to 1")]
        }
        var violations: [ValidationViolation] = []
        if text.count > 100 {
            violations.append(.value(text, at: "statementId", "Member must have length less than or equal to 100"))
        }
        if !FunctionReference.isName(text) {
            violations.append(
                .value(
                    text, at: "statementId", "Member must satisfy regular expression pattern: \(Pattern.statementId)"))
        }
        return violations
    }

    /// `\d{12}|\*|arn:(aws[a-zA-Z-]*):iam::\d{12}:root`
    public static func isPrincipal(_ text: String) -> Bool {
        if text == "*" || FunctionReference.isAccount(text) { return true }
        return rootAccount(of: text) != nil
    }

    /// The account of `arn:aws...:iam::ACCOUNT:root`, or nil.
    static func rootAccount(of text: String) -> String? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"),
            parts[1].allSatisfy({ $0.isLetter || $0 == "-" }), parts[2] == "iam", parts[3].isEmpty,
            FunctionReference.isAccount(parts[4]), parts[5] == "root"
        else { return nil }
        return parts[4]
    }

    /// `o-[a-z0-9]{10,32}`
    public static func isOrganizationId(_ text: String) -> Bool {
        guard text.hasPrefix("o-") else { return false }
        let rest = text.utf8.dropFirst(2)
        return (10...32).contains(rest.count)
            && rest.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7a) }
    }

    /// True when this statement lets `accountId` use the version.
    public func grants(accountId: String) -> Bool {
        // Limitation: a node knows no AWS Organizations, so a statement with an `OrganizationId` grants nothing.
        guard organizationId == nil else { return false }
        return principal == "*" || principal == accountId || Self.rootAccount(of: principal) == accountId
    }

    /// The statement as AWS writes it in a policy document.
    public func statement(resource: String) -> JSONValue {
        let principalValue: JSONValue =
            principal == "*"
            ? .string("*")
            : .object([
                ("AWS", .string(FunctionReference.isAccount(principal) ? "arn:aws:iam::\(principal):root" : principal))
            ])
        return .members([
            ("Sid", .string(statementId)),
            ("Effect", .string("Allow")),
            ("Principal", principalValue),
            ("Action", .string(Self.action)),
            ("Resource", .string(resource)),
            (
                "Condition",
                organizationId.map {
                    .object([("StringEquals", .object([("aws:PrincipalOrgID", .string($0))]))])
                }
            ),
        ])
    }
}

/// A layer version's permission policy: its statements in the order they were added, and the revision that
/// AddLayerVersionPermission and RemoveLayerVersionPermission check.
public struct LayerVersionPolicy: Sendable, Equatable {
    public var revisionId: String
    public var statements: [LayerPermission]

    public init(revisionId: String, statements: [LayerPermission] = []) {
        self.revisionId = revisionId
        self.statements = statements
    }

    /// Largest policy document, in bytes, as Lambda limits resource policies (20 KB).
    public static let maximumBytes = 20_480

    /// The policy document: `{"Version":"2012-10-17","Id":"default","Statement":[...]}`.
    public func document(resource: String) -> JSONValue {
        .object([
            ("Version", .string("2012-10-17")),
            ("Id", .string("default")),
            ("Statement", .array(statements.map { $0.statement(resource: resource) })),
        ])
    }

    /// True when any statement lets `accountId` use the version.
    public func grants(accountId: String) -> Bool {
        statements.contains { $0.grants(accountId: accountId) }
    }
}
