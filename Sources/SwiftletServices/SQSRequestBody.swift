import Foundation
import SwiftletModel
import SwiftletStore
import SwiftletSystem

/// An SQS request's JSON object with typed accessors. A member of the wrong JSON type is refused with
/// `InvalidParameterValue`; a missing required member with `MissingParameter`.
struct SQSRequestBody: JSONRequestObject, Sendable {
    let members: [(String, JSONValue)]

    /// Parses `data`; an empty body reads as an empty object.
    init(_ data: Data) throws(AWSError) {
        guard !data.isEmpty else {
            members = []
            return
        }
        guard case .object(let members)? = try? JSONValue.parse(data) else {
            throw .sqsMalformed("The request body must be a JSON object.")
        }
        self.members = members
    }

    init(members: [(String, JSONValue)]) {
        self.members = members
    }

    private func typed<Value>(
        _ key: String, _ expected: String, _ read: (JSONValue) -> Value?
    ) throws(AWSError)
        -> Value?
    {
        guard let value = member(key) else { return nil }
        guard let typed = read(value) else {
            throw .sqsMalformed("The parameter \(key) must be \(expected).")
        }
        return typed
    }

    func string(_ key: String) throws(AWSError) -> String? {
        try typed(key, "a string") { $0.stringValue }
    }

    /// A string member that must be present.
    func required(_ key: String) throws(AWSError) -> String {
        guard let value = try string(key) else { throw .sqsMissingParameter(key) }
        return value
    }

    func int(_ key: String) throws(AWSError) -> Int? {
        try typed(key, "an integer") { value in
            switch value {
            case .integer(let number): Int(exactly: number)
            case .number(let number) where number.rounded() == number && abs(number) < 9.0e15: Int(number)
            default: nil
            }
        }
    }

    func stringList(_ key: String) throws(AWSError) -> [String]? {
        try typed(key, "a list of strings") { value -> [String]? in
            guard case .array(let items) = value else { return nil }
            let strings = items.compactMap(\.stringValue)
            return strings.count == items.count ? strings : nil
        }
    }

    func stringMap(_ key: String) throws(AWSError) -> [String: String]? {
        try typed(key, "a map of strings") { value -> [String: String]? in
            guard case .object(let members) = value else { return nil }
            var map: [String: String] = [:]
            for (name, item) in members {
                guard let text = item.stringValue else { return nil }
                map[name] = text
            }
            return map
        }
    }

    func objectList(_ key: String) throws(AWSError) -> [SQSRequestBody]? {
        try typed(key, "a list of objects") { value -> [SQSRequestBody]? in
            guard case .array(let items) = value else { return nil }
            var objects: [SQSRequestBody] = []
            for item in items {
                guard case .object(let members) = item else { return nil }
                objects.append(SQSRequestBody(members: members))
            }
            return objects
        }
    }

    /// `MessageAttributes` or `MessageSystemAttributes`: a map of `{DataType, StringValue, BinaryValue}`.
    func messageAttributes(_ key: String) throws(AWSError) -> [String: MessageAttributeValue] {
        guard let value = member(key) else { return [:] }
        guard case .object(let members) = value else { throw .sqsMalformed("The parameter \(key) must be a map.") }
        var attributes: [String: MessageAttributeValue] = [:]
        for (name, item) in members {
            guard case .object = item else { throw .sqsMalformed("The parameter \(key).\(name) must be an object.") }
            guard let dataType = item["DataType"]?.stringValue else {
                throw .sqsInvalidParameter("The message attribute '\(name)' must contain a non-empty attribute type.")
            }
            var binary: Data?
            if let encoded = item["BinaryValue"]?.stringValue {
                guard let decoded = Data(base64Encoded: encoded) else {
                    throw .sqsInvalidParameter("The message attribute '\(name)' has an invalid binary value.")
                }
                binary = decoded
            }
            attributes[name] = MessageAttributeValue(
                dataType: dataType, stringValue: item["StringValue"]?.stringValue, binaryValue: binary)
        }
        return attributes
    }
}
