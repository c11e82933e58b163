import SwiftletModel
import SwiftletSystem
import Testing

@Suite("EventFilterPattern")
struct EventFilterPatternTests {
    private func event(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    private func matches(_ pattern: String, _ eventText: String) throws -> Bool {
        try EventFilterPattern(parsing: pattern).matches(event(eventText))
    }

    @Test func equalityOfEachScalarKind() throws {
        #expect(try matches(#"{"a": ["x"]}"#, #"{"a": "x"}"#))
        #expect(try !matches(#"{"a": ["x"]}"#, #"{"a": "X"}"#))
        #expect(try matches(#"{"a": [5]}"#, #"{"a": 5.0}"#))
        #expect(try !matches(#"{"a": [5]}"#, #"{"a": "5"}"#))
        #expect(try matches(#"{"a": [true]}"#, #"{"a": true}"#))
        #expect(try matches(#"{"a": [null]}"#, #"{"a": null}"#))
        #expect(try !matches(#"{"a": [null]}"#, #"{}"#))
        #expect(try matches(#"{"a": [""]}"#, #"{"a": ""}"#))
    }

    @Test func valuesOfALeafAreAlternativesAndKeysMustAllHold() throws {
        let pattern = #"{"city": ["Oslo", "Lima"], "day": ["Mon"]}"#
        #expect(try matches(pattern, #"{"city": "Lima", "day": "Mon"}"#))
        #expect(try !matches(pattern, #"{"city": "Lima", "day": "Tue"}"#))
        #expect(try !matches(pattern, #"{"city": "Rome", "day": "Mon"}"#))
    }

    @Test func nestedObjectsAndListsInTheEvent() throws {
        let pattern = #"{"order": {"item": {"sku": ["A1"]}}}"#
        #expect(try matches(pattern, #"{"order": {"item": {"sku": "A1"}, "n": 2}}"#))
        #expect(try matches(pattern, #"{"order": {"item": [{"sku": "B2"}, {"sku": "A1"}]}}"#))
        #expect(try !matches(pattern, #"{"order": {"item": "A1"}}"#))
        #expect(try matches(#"{"tags": ["red"]}"#, #"{"tags": ["blue", "red"]}"#))
        #expect(try !matches(#"{"tags": ["red"]}"#, #"{"tags": []}"#))
    }

    @Test func textOperators() throws {
        #expect(try matches(#"{"r": [{"prefix": "us-"}]}"#, #"{"r": "us-east-1"}"#))
        #expect(try !matches(#"{"r": [{"prefix": "us-"}]}"#, #"{"r": "eu-west-1"}"#))
        #expect(try matches(#"{"f": [{"suffix": ".png"}]}"#, #"{"f": "a.png"}"#))
        #expect(try matches(#"{"f": [{"suffix": {"equals-ignore-case": ".PNG"}}]}"#, #"{"f": "a.png"}"#))
        #expect(try matches(#"{"r": [{"prefix": {"equals-ignore-case": "US-"}}]}"#, #"{"r": "us-west-2"}"#))
        #expect(try matches(#"{"s": [{"equals-ignore-case": "ready"}]}"#, #"{"s": "READY"}"#))
        #expect(try !matches(#"{"s": [{"prefix": "1"}]}"#, #"{"s": 12}"#))
    }

    @Test func wildcards() throws {
        #expect(try matches(#"{"p": [{"wildcard": "*/lib/*.so"}]}"#, #"{"p": "/usr/lib/x.so"}"#))
        #expect(try !matches(#"{"p": [{"wildcard": "*/lib/*.so"}]}"#, #"{"p": "/usr/lib/x.a"}"#))
        #expect(try matches(#"{"p": [{"wildcard": "a\\*b"}]}"#, #"{"p": "a*b"}"#))
        #expect(try !matches(#"{"p": [{"wildcard": "a\\*b"}]}"#, #"{"p": "axb"}"#))
        #expect(try matches(#"{"p": [{"wildcard": "**"}]}"#, #"{"p": ""}"#))
    }

    @Test func anythingBut() throws {
        #expect(try matches(#"{"s": [{"anything-but": "init"}]}"#, #"{"s": "ready"}"#))
        #expect(try !matches(#"{"s": [{"anything-but": ["init", "stop"]}]}"#, #"{"s": "stop"}"#))
        #expect(try !matches(#"{"s": [{"anything-but": "init"}]}"#, #"{}"#))
        #expect(try matches(#"{"n": [{"anything-but": [1, 2]}]}"#, #"{"n": 3}"#))
        #expect(try !matches(#"{"n": [{"anything-but": [1, 2]}]}"#, #"{"n": 2.0}"#))
        #expect(try !matches(#"{"r": [{"anything-but": {"prefix": "us-"}}]}"#, #"{"r": "us-east-1"}"#))
        #expect(try matches(#"{"r": [{"anything-but": {"suffix": ".png"}}]}"#, #"{"r": "a.jpg"}"#))
        #expect(try !matches(#"{"s": [{"anything-but": {"equals-ignore-case": "x"}}]}"#, #"{"s": "X"}"#))
    }

    @Test func numericComparisonsAndRanges() throws {
        let range = #"{"n": [{"numeric": [">", 0, "<=", 5]}]}"#
        #expect(try matches(range, #"{"n": 5}"#))
        #expect(try matches(range, #"{"n": 0.5}"#))
        #expect(try !matches(range, #"{"n": 0}"#))
        #expect(try !matches(range, #"{"n": 5.01}"#))
        #expect(try !matches(range, #"{"n": "3"}"#))
        #expect(try matches(#"{"n": [{"numeric": ["=", 3]}]}"#, #"{"n": 3.0}"#))
        #expect(try matches(#"{"n": [{"numeric": [">=", -1]}]}"#, #"{"n": -1}"#))
        #expect(try matches(#"{"n": [{"numeric": ["<", 10]}]}"#, #"{"n": [20, 4]}"#))
    }

    @Test func existence() throws {
        #expect(try matches(#"{"a": [{"exists": true}]}"#, #"{"a": 0}"#))
        #expect(try !matches(#"{"a": [{"exists": true}]}"#, #"{"b": 0}"#))
        #expect(try !matches(#"{"a": [{"exists": true}]}"#, #"{"a": []}"#))
        #expect(try matches(#"{"a": [{"exists": false}]}"#, #"{"b": 0}"#))
        #expect(try !matches(#"{"a": [{"exists": false}]}"#, #"{"a": null}"#))
        #expect(try matches(#"{"x": {"a": [{"exists": false}]}}"#, #"{}"#))
    }

    @Test func addressBlocks() throws {
        #expect(try matches(#"{"ip": [{"cidr": "10.0.0.0/24"}]}"#, #"{"ip": "10.0.0.255"}"#))
        #expect(try !matches(#"{"ip": [{"cidr": "10.0.0.0/24"}]}"#, #"{"ip": "10.0.1.1"}"#))
        #expect(try matches(#"{"ip": [{"cidr": "2001:db8::/32"}]}"#, #"{"ip": "2001:db8:1::9"}"#))
        #expect(try !matches(#"{"ip": [{"cidr": "2001:db8::/32"}]}"#, #"{"ip": "10.0.0.1"}"#))
        #expect(try !matches(#"{"ip": [{"cidr": "10.0.0.0/8"}]}"#, #"{"ip": "not an address"}"#))
    }

    @Test func alternativesWithOr() throws {
        let pattern = #"{"kind": ["a"], "$or": [{"n": [1]}, {"m": [{"exists": true}]}]}"#
        #expect(try matches(pattern, #"{"kind": "a", "n": 1}"#))
        #expect(try matches(pattern, #"{"kind": "a", "m": "x"}"#))
        #expect(try !matches(pattern, #"{"kind": "a", "n": 2}"#))
        #expect(try !matches(pattern, #"{"kind": "b", "n": 1}"#))
    }

    @Test(arguments: [
        "not json", "[]", "{}", #"{"a": "x"}"#, #"{"a": 5}"#, #"{"a": [[1]]}"#, #"{"a": {}}"#,
        #"{"a": [{"prefix": 1}]}"#, #"{"a": [{"prefix": "x", "suffix": "y"}]}"#, #"{"a": [{"unknown": 1}]}"#,
        #"{"a": [{"numeric": ["<", "x"]}]}"#, #"{"a": [{"numeric": ["<", 5, ">", 1]}]}"#,
        #"{"a": [{"numeric": [">", 5, "<", 1]}]}"#, #"{"a": [{"numeric": ["~", 1]}]}"#,
        #"{"a": [{"exists": "yes"}]}"#, #"{"a": [{"cidr": "10.0.0.0/33"}]}"#, #"{"a": [{"anything-but": []}]}"#,
        #"{"a": [{"anything-but": [{"prefix": "x"}]}]}"#, #"{"$or": [{"a": [1]}]}"#, #"{"$or": "x"}"#,
    ])
    func invalidPatternsAreRefused(pattern: String) {
        #expect {
            _ = try EventFilterPattern(parsing: pattern)
        } throws: { error in
            guard let error = error as? AWSError else { return false }
            return error.type == "InvalidParameterValueException"
                && error.message.hasPrefix("Invalid filter pattern definition")
        }
    }

    @Test func sqsBodiesMatchAsJSONWhenTheyAreJSON() throws {
        let patterns = [try EventFilterPattern(parsing: #"{"body": {"kind": ["keep"]}}"#)]
        let record = { (body: String) in JSONValue.members([("messageId", .string("1")), ("body", .string(body))]) }
        #expect(EventFilterPattern.matchesAny(patterns, record: record(#"{"kind":"keep"}"#), body: #"{"kind":"keep"}"#))
        #expect(
            !EventFilterPattern.matchesAny(patterns, record: record(#"{"kind":"drop"}"#), body: #"{"kind":"drop"}"#))
        #expect(!EventFilterPattern.matchesAny(patterns, record: record("keep"), body: "keep"))
    }

    @Test func plainBodiesMatchOnlyPlainStrings() throws {
        let patterns = [
            try EventFilterPattern(parsing: #"{"body": ["hello"]}"#),
            try EventFilterPattern(parsing: #"{"attributes": {"SenderId": ["me"]}}"#),
        ]
        let record = { (body: String, sender: String) in
            JSONValue.members([
                ("body", .string(body)), ("attributes", .members([("SenderId", .string(sender))])),
            ])
        }
        #expect(EventFilterPattern.matchesAny(patterns, record: record("hello", "x"), body: "hello"))
        #expect(EventFilterPattern.matchesAny(patterns, record: record("bye", "me"), body: "bye"))
        #expect(!EventFilterPattern.matchesAny(patterns, record: record("bye", "x"), body: "bye"))
        #expect(EventFilterPattern.matchesAny([], record: record("bye", "x"), body: "bye"))
    }
}
