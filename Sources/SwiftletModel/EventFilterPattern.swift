import Glibc
import SwiftletSystem

/// One filter of an event source mapping's `FilterCriteria`: a JSON object whose keys follow the event's keys
/// and whose leaves are lists of matchers. Keys are AND-ed, the matchers of a leaf OR-ed; a list in the event
/// matches when any element does. The grammar is the event-pattern language Lambda shares with EventBridge:
///
///     pattern  := { key: pattern | [matcher, ...], ..., "$or": [pattern, ...] }
///     matcher  := "text" | number | true | false | null
///               | {"prefix": "text" | {"equals-ignore-case": "text"}}
///               | {"suffix": "text" | {"equals-ignore-case": "text"}}
///               | {"equals-ignore-case": "text"} | {"wildcard": "a*b"}
///               | {"anything-but": scalar | [scalar, ...]
///                                 | {"prefix" | "suffix" | "equals-ignore-case" | "wildcard": "text"}}
///               | {"numeric": [op, number] | [">"|">=", number, "<"|"<=", number]}
///               | {"exists": true | false} | {"cidr": "10.0.0.0/24"}
public struct EventFilterPattern: Sendable, Equatable {
    let root: ObjectPattern

    /// Parses and checks a pattern; a pattern that is not valid throws `InvalidParameterValueException`.
    public init(parsing text: String) throws(AWSError) {
        let document: JSONValue
        do {
            document = try JSONValue.parse(Array(text.utf8))
        } catch {
            throw Self.invalid("the pattern is not JSON (\(error))")
        }
        root = try ObjectPattern(document, path: "")
    }

    /// Whether the event matches this pattern.
    public func matches(_ event: JSONValue) -> Bool {
        root.matches(event)
    }

    /// Whether an SQS record passes any of `patterns`; with none, every record passes. A body that is JSON is
    /// matched as the value it holds, any other body as a plain string.
    public static func matchesAny(_ patterns: [EventFilterPattern], record: JSONValue, body: String) -> Bool {
        guard !patterns.isEmpty else { return true }
        var event = record
        if case .object(var members) = record, let parsed = try? JSONValue.parse(Array(body.utf8)),
            let index = members.firstIndex(where: { $0.0 == "body" })
        {
            members[index].1 = parsed
            event = .object(members)
        }
        return patterns.contains { $0.matches(event) }
    }

    static func invalid(_ reason: String) -> AWSError {
        .invalidParameterValue("Invalid filter pattern definition: \(reason).")
    }
}

// MARK: - The pattern tree

/// Conditions on an object's members, all of which must hold.
struct ObjectPattern: Sendable, Equatable {
    enum Condition: Sendable, Equatable {
        case member(String, MemberPattern)
        /// `$or`: any one of the alternatives.
        case anyOf([ObjectPattern])
    }

    var conditions: [Condition]

    init(_ value: JSONValue, path: String) throws(AWSError) {
        guard case .object(let members) = value else {
            throw EventFilterPattern.invalid(
                path.isEmpty ? "a pattern is a JSON object" : "the value of '\(path)' must be an object or a list")
        }
        guard !members.isEmpty else {
            throw EventFilterPattern.invalid(path.isEmpty ? "the pattern is empty" : "'\(path)' holds an empty object")
        }
        var conditions: [Condition] = []
        for (key, member) in members {
            let memberPath = path.isEmpty ? key : "\(path).\(key)"
            if key == "$or" {
                guard case .array(let alternatives) = member, alternatives.count >= 2 else {
                    throw EventFilterPattern.invalid("'\(memberPath)' takes a list of at least two patterns")
                }
                var patterns: [ObjectPattern] = []
                for alternative in alternatives { patterns.append(try ObjectPattern(alternative, path: path)) }
                conditions.append(.anyOf(patterns))
            } else {
                conditions.append(.member(key, try MemberPattern(member, path: memberPath)))
            }
        }
        self.conditions = conditions
    }

    func matches(_ event: JSONValue) -> Bool {
        conditions.allSatisfy { condition in
            switch condition {
            case .anyOf(let alternatives): alternatives.contains { $0.matches(event) }
            case .member(let key, let pattern): pattern.matches(event[key])
            }
        }
    }
}

/// What one member of the event must be: an object matching a nested pattern, or a leaf matching a matcher.
enum MemberPattern: Sendable, Equatable {
    case nested(ObjectPattern)
    case leaf([Matcher])

    init(_ value: JSONValue, path: String) throws(AWSError) {
        switch value {
        case .array(let items):
            var matchers: [Matcher] = []
            for item in items { matchers.append(try Matcher(item, path: path)) }
            self = .leaf(matchers)
        case .object:
            self = .nested(try ObjectPattern(value, path: path))
        default:
            throw EventFilterPattern.invalid("the value of '\(path)' must be a list of matchers or an object")
        }
    }

    func matches(_ value: JSONValue?) -> Bool {
        switch self {
        case .nested(let pattern):
            switch value {
            case .object(let members)?: return pattern.matches(.object(members))
            case .array(let items)?: return items.contains { pattern.matches($0) }
            // An absent object matches as an empty one, so `{"exists": false}` inside it holds.
            case nil: return pattern.matches(.object([]))
            default: return false
            }
        case .leaf(let matchers):
            if case .array(let items)? = value {
                let leaves = items.filter {
                    if case .object = $0 { return false }
                    return true
                }
                return matchers.contains { matcher in
                    if case .exists(let wanted) = matcher { return wanted == !leaves.isEmpty }
                    return leaves.contains { matcher.matches($0) }
                }
            }
            if case .object? = value {
                return false
            }
            return matchers.contains { $0.matches(value) }
        }
    }
}

/// A test on one leaf value.
enum Matcher: Sendable, Equatable {
    enum Comparison: String, Sendable, Equatable {
        case equal = "=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    }

    /// A string test shared by `prefix`, `suffix`, `equals-ignore-case`, `wildcard` and their `anything-but`.
    enum TextTest: Sendable, Equatable {
        case prefix(String, ignoringCase: Bool)
        case suffix(String, ignoringCase: Bool)
        case equalsIgnoringCase(String)
        case wildcard(String)

        func holds(for text: String) -> Bool {
            switch self {
            case .prefix(let prefix, let ignoringCase):
                ignoringCase ? text.lowercased().hasPrefix(prefix.lowercased()) : text.hasPrefix(prefix)
            case .suffix(let suffix, let ignoringCase):
                ignoringCase ? text.lowercased().hasSuffix(suffix.lowercased()) : text.hasSuffix(suffix)
            case .equalsIgnoringCase(let expected): text.lowercased() == expected.lowercased()
            case .wildcard(let pattern): Matcher.wildcardMatches(Array(pattern.utf8), Array(text.utf8))
            }
        }
    }

    case equals(JSONValue)
    case text(TextTest)
    case anythingBut([JSONValue])
    case anythingButText(TextTest)
    case numeric([(Comparison, Double)])
    case exists(Bool)
    case cidr(network: [UInt8], prefixLength: Int)

    static func == (lhs: Matcher, rhs: Matcher) -> Bool {
        switch (lhs, rhs) {
        case (.equals(let a), .equals(let b)): a == b
        case (.text(let a), .text(let b)), (.anythingButText(let a), .anythingButText(let b)): a == b
        case (.anythingBut(let a), .anythingBut(let b)): a == b
        case (.numeric(let a), .numeric(let b)): a.count == b.count && zip(a, b).allSatisfy { $0 == $1 }
        case (.exists(let a), .exists(let b)): a == b
        case (.cidr(let a, let m), .cidr(let b, let n)): a == b && m == n
        default: false
        }
    }

    init(_ value: JSONValue, path: String) throws(AWSError) {
        switch value {
        case .string, .integer, .number, .bool, .null:
            self = .equals(value)
        case .array:
            throw EventFilterPattern.invalid("'\(path)' holds a list inside its list of matchers")
        case .object(let members):
            guard members.count == 1, let (name, operand) = members.first else {
                throw EventFilterPattern.invalid("each matcher object of '\(path)' has exactly one operator")
            }
            self = try Self.parse(operator: name, operand, path: path)
        }
    }

    private static func parse(operator name: String, _ operand: JSONValue, path: String) throws(AWSError) -> Matcher {
        switch name {
        case "prefix", "suffix", "equals-ignore-case", "wildcard":
            return .text(try textTest(name, operand, path: path))
        case "anything-but":
            switch operand {
            case .string, .integer, .number:
                return .anythingBut([operand])
            case .array(let values):
                guard !values.isEmpty,
                    values.allSatisfy({
                        switch $0 {
                        case .string, .integer, .number: true
                        default: false
                        }
                    })
                else {
                    throw EventFilterPattern.invalid(
                        "'anything-but' of '\(path)' takes a non-empty list of strings or numbers")
                }
                return .anythingBut(values)
            case .object(let members) where members.count == 1:
                return .anythingButText(try textTest(members[0].0, members[0].1, path: path))
            default:
                throw EventFilterPattern.invalid("'anything-but' of '\(path)' takes a value, a list or one text test")
            }
        case "numeric":
            return .numeric(try numericBounds(operand, path: path))
        case "exists":
            guard case .bool(let flag) = operand else {
                throw EventFilterPattern.invalid("'exists' of '\(path)' takes true or false")
            }
            return .exists(flag)
        case "cidr":
            guard let text = operand.stringValue, let (network, length) = parseCIDR(text) else {
                throw EventFilterPattern.invalid("'cidr' of '\(path)' takes an address block such as \"10.0.0.0/24\"")
            }
            return .cidr(network: network, prefixLength: length)
        default:
            throw EventFilterPattern.invalid("'\(path)' uses the unknown operator '\(name)'")
        }
    }

    private static func textTest(_ name: String, _ operand: JSONValue, path: String) throws(AWSError) -> TextTest {
        if let text = operand.stringValue {
            switch name {
            case "prefix": return .prefix(text, ignoringCase: false)
            case "suffix": return .suffix(text, ignoringCase: false)
            case "equals-ignore-case": return .equalsIgnoringCase(text)
            case "wildcard": return .wildcard(text)
            default: break
            }
        } else if name == "prefix" || name == "suffix", case .object(let members) = operand, members.count == 1,
            members[0].0 == "equals-ignore-case", let text = members[0].1.stringValue
        {
            return name == "prefix" ? .prefix(text, ignoringCase: true) : .suffix(text, ignoringCase: true)
        }
        throw EventFilterPattern.invalid("'\(name)' of '\(path)' takes a string")
    }

    private static func numericBounds(_ operand: JSONValue, path: String) throws(AWSError) -> [(Comparison, Double)] {
        let invalid = EventFilterPattern.invalid(
            "'numeric' of '\(path)' takes an operator and a number, or a lower and an upper bound")
        guard case .array(let items) = operand, items.count == 2 || items.count == 4 else { throw invalid }
        var bounds: [(Comparison, Double)] = []
        for index in stride(from: 0, to: items.count, by: 2) {
            guard let symbol = items[index].stringValue, let comparison = Comparison(rawValue: symbol),
                let number = items[index + 1].numberValue
            else { throw invalid }
            bounds.append((comparison, number))
        }
        if bounds.count == 2 {
            guard [.greater, .greaterOrEqual].contains(bounds[0].0), [.less, .lessOrEqual].contains(bounds[1].0),
                bounds[0].1 < bounds[1].1
            else { throw invalid }
        }
        return bounds
    }

    func matches(_ value: JSONValue?) -> Bool {
        switch self {
        case .exists(let wanted):
            return wanted == (value != nil)
        case .equals(let expected):
            guard let value else { return false }
            if let wanted = expected.numberValue, let actual = value.numberValue { return wanted == actual }
            return expected == value
        case .text(let test):
            guard let text = value?.stringValue else { return false }
            return test.holds(for: text)
        case .anythingBut(let excluded):
            guard let value, !value.isNull else { return false }
            if let actual = value.numberValue { return !excluded.contains { $0.numberValue == actual } }
            return !excluded.contains(value)
        case .anythingButText(let test):
            guard let text = value?.stringValue else { return false }
            return !test.holds(for: text)
        case .numeric(let bounds):
            guard let number = value?.numberValue else { return false }
            return bounds.allSatisfy { comparison, bound in
                switch comparison {
                case .equal: number == bound
                case .less: number < bound
                case .lessOrEqual: number <= bound
                case .greater: number > bound
                case .greaterOrEqual: number >= bound
                }
            }
        case .cidr(let network, let prefixLength):
            guard let text = value?.stringValue, let address = Self.parseAddress(text), address.count == network.count
            else { return false }
            return Self.prefixMatches(address, network, bits: prefixLength)
        }
    }

    // MARK: Helpers

    /// `*` matches any run of characters, `\*` a star; everything else matches itself.
    static func wildcardMatches(_ pattern: [UInt8], _ text: [UInt8]) -> Bool {
        var tokens: [UInt8?] = []  // nil is a star
        var index = 0
        while index < pattern.count {
            if pattern[index] == UInt8(ascii: "\\"), index + 1 < pattern.count, pattern[index + 1] == UInt8(ascii: "*")
            {
                tokens.append(UInt8(ascii: "*"))
                index += 2
            } else {
                tokens.append(pattern[index] == UInt8(ascii: "*") ? nil : pattern[index])
                index += 1
            }
        }
        // Greedy matching with a single backtrack point: linear in practice, never exponential.
        var t = 0
        var p = 0
        var starToken = -1
        var starText = 0
        while t < text.count {
            if p < tokens.count, let token = tokens[p], token == text[t] {
                p += 1
                t += 1
            } else if p < tokens.count, tokens[p] == nil {
                starToken = p
                starText = t
                p += 1
            } else if starToken >= 0 {
                p = starToken + 1
                starText += 1
                t = starText
            } else {
                return false
            }
        }
        while p < tokens.count, tokens[p] == nil { p += 1 }
        return p == tokens.count
    }

    static func parseAddress(_ text: String) -> [UInt8]? {
        if text.contains(":") {
            var address = in6_addr()
            guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
            return withUnsafeBytes(of: &address) { Array($0) }
        }
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: &address) { Array($0) }
    }

    static func parseCIDR(_ text: String) -> ([UInt8], Int)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = parseAddress(String(parts[0])), let length = Int(parts[1]),
            length >= 0, length <= address.count * 8
        else { return nil }
        return (address, length)
    }

    static func prefixMatches(_ address: [UInt8], _ network: [UInt8], bits: Int) -> Bool {
        for bit in 0..<bits {
            let mask = UInt8(0x80) >> UInt8(bit % 8)
            if address[bit / 8] & mask != network[bit / 8] & mask { return false }
        }
        return true
    }
}

extension JSONValue {
    /// The value of a number, integral or not.
    fileprivate var numberValue: Double? {
        switch self {
        case .integer(let number): Double(number)
        case .number(let number): number
        default: nil
        }
    }
}
