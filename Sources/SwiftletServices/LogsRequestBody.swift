import Foundation
import SwiftletModel
import SwiftletSystem

/// A request's JSON object with typed accessors. A member of the wrong JSON type is a `SerializationException`,
/// as AWS's awsJSON front answers; a value of the right type that breaks a model constraint is collected as a
/// ``ValidationViolation`` by the caller.
struct LogsRequestBody: JSONRequestObject {
    let members: [(String, JSONValue)]

    /// Parses `data`; an empty body reads as an empty object.
    init(_ data: Data) throws(AWSError) {
        guard !data.isEmpty else {
            members = []
            return
        }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(data)
        } catch {
            throw .logsSerialization("The request body is not valid JSON: \(error).")
        }
        guard case .object(let members) = parsed else {
            throw .logsSerialization("The request body must be a JSON object.")
        }
        self.members = members
    }

    init(members: [(String, JSONValue)]) {
        self.members = members
    }

    private func wrongType(_ key: String, _ expected: String) -> AWSError {
        .logsSerialization("The member '\(key)' must be \(expected).")
    }

    func string(_ key: String) throws(AWSError) -> String? {
        guard let value = member(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, "a string") }
        return text
    }

    func int64(_ key: String) throws(AWSError) -> Int64? {
        guard let value = member(key) else { return nil }
        switch value {
        case .integer(let number): return number
        case .number(let number) where number.rounded() == number && abs(number) < 9.0e18: return Int64(number)
        default: throw wrongType(key, "an integer")
        }
    }

    func int(_ key: String) throws(AWSError) -> Int? {
        guard let value = try int64(key) else { return nil }
        guard let narrow = Int(exactly: value), abs(narrow) <= Int(Int32.max) else {
            throw wrongType(key, "a 32-bit integer")
        }
        return narrow
    }

    func bool(_ key: String) throws(AWSError) -> Bool? {
        guard let value = member(key) else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(key, "true or false") }
        return flag
    }

    func stringList(_ key: String) throws(AWSError) -> [String]? {
        guard let value = member(key) else { return nil }
        guard case .array(let items) = value else { throw wrongType(key, "a list of strings") }
        var strings: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw wrongType(key, "a list of strings") }
            strings.append(text)
        }
        return strings
    }

    func objectList(_ key: String) throws(AWSError) -> [LogsRequestBody]? {
        guard let value = member(key) else { return nil }
        guard case .array(let items) = value else { throw wrongType(key, "a list of objects") }
        var objects: [LogsRequestBody] = []
        for item in items {
            guard case .object(let members) = item else { throw wrongType(key, "a list of objects") }
            objects.append(LogsRequestBody(members: members))
        }
        return objects
    }
}

/// Model constraints of CloudWatch Logs members, checked in the order AWS reports them.
struct LogsValidator {
    var violations: [ValidationViolation] = []

    /// Throws every violation found so far as one `InvalidParameterException`.
    func check() throws(AWSError) {
        if !violations.isEmpty { throw .logsValidation(violations) }
    }

    mutating func required<Value>(_ value: Value?, _ field: String) {
        if value == nil { violations.append(.missing(field)) }
    }

    /// A `LogGroupName`: 1 to 512 characters of letters, digits and `._-/#`.
    mutating func groupName(_ name: String?, _ field: String = "logGroupName") {
        guard let name else { return }
        length(name, field, max: LogsWire.maxNameLength)
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
                    || ".-_/#".unicodeScalars.contains(scalar))
        }
        if !allowed || name.isEmpty {
            violations.append(
                .value(name, at: field, "Member must satisfy regular expression pattern: \(LogsWire.groupNamePattern)"))
        }
    }

    /// A `LogStreamName`: 1 to 512 characters, none of them `:` or `*`.
    mutating func streamName(_ name: String?, _ field: String = "logStreamName") {
        guard let name else { return }
        length(name, field, max: LogsWire.maxNameLength)
        if name.contains(":") || name.contains("*") {
            violations.append(
                .value(name, at: field, "Member must satisfy regular expression pattern: \(LogsWire.streamNamePattern)")
            )
        }
    }

    mutating func length(_ text: String, _ field: String, min: Int = 1, max: Int) {
        let count = text.count
        if count < min {
            violations.append(.value(text, at: field, "Member must have length greater than or equal to \(min)"))
        } else if count > max {
            violations.append(.value(text, at: field, "Member must have length less than or equal to \(max)"))
        }
    }

    mutating func range<Number: BinaryInteger>(_ value: Number?, _ field: String, min: Number, max: Number? = nil) {
        guard let value else { return }
        if value < min {
            violations.append(.value("\(value)", at: field, "Member must have value greater than or equal to \(min)"))
        } else if let max, value > max {
            violations.append(.value("\(value)", at: field, "Member must have value less than or equal to \(max)"))
        }
    }

    mutating func oneOf(_ value: String?, _ field: String, _ allowed: [String]) {
        guard let value, !allowed.contains(value) else { return }
        let set = allowed.joined(separator: ", ")
        violations.append(.value(value, at: field, "Member must satisfy enum value set: [\(set)]"))
    }
}
