import Foundation
import SwiftletModel
import SwiftletSystem

/// A request's JSON object with typed accessors that answer AWS-shaped errors for the wrong type.
struct JSONBody {
    let members: [(String, JSONValue)]
    /// Dotted path of this object inside the body, for messages.
    let path: String

    /// Parses `data`; an empty body is an empty object.
    init(_ data: Data) throws(AWSError) {
        path = ""
        guard !data.isEmpty else {
            members = []
            return
        }
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(data)
        } catch {
            throw .invalidRequestContent("Could not parse request body into json: \(error).")
        }
        guard case .object(let members) = parsed else {
            throw .invalidRequestContent("Could not parse request body into json: the body must be a JSON object.")
        }
        self.members = members
    }

    private init(members: [(String, JSONValue)], path: String) {
        self.members = members
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func wrongType(_ key: String, _ expected: String) -> AWSError {
        .invalidRequestContent("Could not parse request body into json: '\(name(key))' must be \(expected).")
    }

    /// The member's value, with JSON null treated as absent.
    private func member(_ key: String) -> JSONValue? {
        guard let value = members.first(where: { $0.0 == key })?.1, !value.isNull else { return nil }
        return value
    }

    func has(_ key: String) -> Bool { member(key) != nil }

    func string(_ key: String) throws(AWSError) -> String? {
        guard let value = member(key) else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, "a string") }
        return text
    }

    func int(_ key: String) throws(AWSError) -> Int? {
        guard let value = member(key) else { return nil }
        switch value {
        case .integer(let number) where abs(number) < 1 << 53: return Int(number)
        case .number(let number) where number.rounded() == number && abs(number) < 9.0e15: return Int(number)
        default: throw wrongType(key, "an integer")
        }
    }

    /// An integer member that must lie in `range`; outside it, a `ValidationException` naming `field` as AWS does.
    func int(_ key: String, in range: ClosedRange<Int>, field: String) throws(AWSError) -> Int? {
        guard let value = try int(key) else { return nil }
        if value < range.lowerBound {
            throw .validation([
                .value("\(value)", at: field, "Member must have value greater than or equal to \(range.lowerBound)")
            ])
        }
        if value > range.upperBound {
            throw .validation([
                .value("\(value)", at: field, "Member must have value less than or equal to \(range.upperBound)")
            ])
        }
        return value
    }

    func bool(_ key: String) throws(AWSError) -> Bool? {
        guard let value = member(key) else { return nil }
        guard case .bool(let flag) = value else { throw wrongType(key, "true or false") }
        return flag
    }

    func object(_ key: String) throws(AWSError) -> JSONBody? {
        guard let value = member(key) else { return nil }
        guard case .object(let nested) = value else { throw wrongType(key, "an object") }
        return JSONBody(members: nested, path: name(key))
    }

    func stringMap(_ key: String) throws(AWSError) -> [String: String]? {
        guard let value = member(key) else { return nil }
        guard case .object(let entries) = value else { throw wrongType(key, "an object of strings") }
        var result: [String: String] = [:]
        for (entryKey, entryValue) in entries {
            guard case .string(let text) = entryValue else { throw wrongType(key, "an object of strings") }
            result[entryKey] = text
        }
        return result
    }

    /// The keys of an object member in the order the caller sent them.
    func keys(of key: String) -> [String]? {
        guard case .object(let entries)? = member(key) else { return nil }
        return entries.map(\.0)
    }

    func stringList(_ key: String) throws(AWSError) -> [String]? {
        guard let value = member(key) else { return nil }
        guard case .array(let items) = value else { throw wrongType(key, "a list of strings") }
        var result: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw wrongType(key, "a list of strings") }
            result.append(text)
        }
        return result
    }

    /// True when `key` holds something other than null, an empty string, object or list (or an object of those).
    func hasContent(_ key: String) -> Bool {
        guard let value = member(key) else { return false }
        return Self.hasContent(value)
    }

    private static func hasContent(_ value: JSONValue) -> Bool {
        switch value {
        case .null: false
        case .string(let text): !text.isEmpty
        case .array(let items): !items.isEmpty
        case .object(let members): members.contains { hasContent($0.1) }
        default: true
        }
    }
}
