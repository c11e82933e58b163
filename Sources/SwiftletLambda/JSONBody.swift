import Foundation
import SwiftletModel

/// A request's JSON object with typed accessors that answer AWS-shaped errors for the wrong type.
struct JSONBody {
    let object: [String: Any]
    /// Dotted path of this object inside the body, for messages.
    let path: String

    /// Parses `data`; an empty body is an empty object.
    init(_ data: Data) throws(AWSError) {
        path = ""
        guard !data.isEmpty else {
            object = [:]
            return
        }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw .invalidRequestContent(
                "Could not parse request body into json: the body is not valid JSON (\(Self.reason(error))).")
        }
        guard let object = parsed as? [String: Any] else {
            throw .invalidRequestContent("Could not parse request body into json: the body must be a JSON object.")
        }
        self.object = object
    }

    private init(object: [String: Any], path: String) {
        self.object = object
        self.path = path
    }

    private static func reason(_ error: Error) -> String {
        let text = "\(error)"
        return text.count > 200 ? String(text.prefix(200)) + "..." : text
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func wrongType(_ key: String, _ expected: String) -> AWSError {
        .invalidRequestContent("Could not parse request body into json: '\(name(key))' must be \(expected).")
    }

    func has(_ key: String) -> Bool {
        guard let value = object[key] else { return false }
        return !(value is NSNull)
    }

    func string(_ key: String) throws(AWSError) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw wrongType(key, "a string") }
        return text
    }

    func int(_ key: String) throws(AWSError) -> Int? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        if value is Bool { throw wrongType(key, "an integer") }
        guard let number = value as? NSNumber else { throw wrongType(key, "an integer") }
        let double = number.doubleValue
        guard double.rounded() == double, abs(double) < 9.0e15 else { throw wrongType(key, "an integer") }
        return number.intValue
    }

    func bool(_ key: String) throws(AWSError) -> Bool? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let flag = value as? Bool else { throw wrongType(key, "true or false") }
        return flag
    }

    func object(_ key: String) throws(AWSError) -> JSONBody? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let nested = value as? [String: Any] else { throw wrongType(key, "an object") }
        return JSONBody(object: nested, path: name(key))
    }

    func stringMap(_ key: String) throws(AWSError) -> [String: String]? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let map = value as? [String: Any] else { throw wrongType(key, "an object of strings") }
        var result: [String: String] = [:]
        for (entryKey, entryValue) in map {
            guard let text = entryValue as? String else { throw wrongType(key, "an object of strings") }
            result[entryKey] = text
        }
        return result
    }

    func stringList(_ key: String) throws(AWSError) -> [String]? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let list = value as? [Any] else { throw wrongType(key, "a list of strings") }
        var result: [String] = []
        for item in list {
            guard let text = item as? String else { throw wrongType(key, "a list of strings") }
            result.append(text)
        }
        return result
    }

    /// True when `key` holds something other than null, an empty object or an empty list.
    func hasContent(_ key: String) -> Bool {
        guard let value = object[key], !(value is NSNull) else { return false }
        if let map = value as? [String: Any] { return map.values.contains { !($0 is NSNull) && !Self.isEmpty($0) } }
        if let list = value as? [Any] { return !list.isEmpty }
        if let text = value as? String { return !text.isEmpty }
        return true
    }

    private static func isEmpty(_ value: Any) -> Bool {
        if let list = value as? [Any] { return list.isEmpty }
        if let map = value as? [String: Any] { return map.isEmpty }
        return false
    }
}
