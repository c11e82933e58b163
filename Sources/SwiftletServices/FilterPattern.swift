import SwiftletModel

// Limitation: JSON (`{ $.level = "error" }`), space-delimited (`[ip, user, ...]`) and regular-expression
// (`%...%`) patterns are refused with InvalidParameterException.
/// A CloudWatch Logs filter pattern for unstructured events: terms separated by spaces.
///
/// - `ERROR timeout` matches events containing both terms (terms are ANDed);
/// - `"disk full"` matches the quoted phrase, spaces included (`\"` and `\\` escape inside quotes);
/// - `?ERROR ?WARN` matches events containing at least one of the `?` terms;
/// - `ERROR -retry` matches events containing `ERROR` and not `retry`.
///
/// Terms are case-sensitive and match anywhere in the message. An empty pattern matches every event.
struct FilterPattern: Equatable {
    /// Terms every matching event contains.
    var required: [String] = []
    /// Terms of which a matching event contains at least one, when there are any.
    var anyOf: [String] = []
    /// Terms no matching event contains.
    var excluded: [String] = []

    /// Parses `text`, throwing `InvalidParameterException` for what this node cannot read.
    init(_ text: String) throws(AWSError) {
        let trimmed = text.drop(while: \.isWhitespace)
        switch trimmed.first {
        case "{":
            throw .logsInvalidParameter(
                "JSON filter patterns such as '{ $.field = value }' are not supported by Swiftlet; "
                    + "use terms, quoted phrases and ?terms.")
        case "[":
            throw .logsInvalidParameter(
                "Space-delimited filter patterns such as '[ip, user]' are not supported by Swiftlet; "
                    + "use terms, quoted phrases and ?terms.")
        case "%":
            throw .logsInvalidParameter(
                "Regular-expression filter patterns ('%...%') are not supported by Swiftlet; "
                    + "use terms, quoted phrases and ?terms.")
        default:
            break
        }

        var scanner = Substring(trimmed)
        while let (kind, term) = try Self.nextTerm(&scanner) {
            switch kind {
            case "?": anyOf.append(term)
            case "-": excluded.append(term)
            default: required.append(term)
            }
        }
    }

    /// True when `message` satisfies every kind of term.
    func matches(_ message: String) -> Bool {
        required.allSatisfy { message.contains($0) }
            && (anyOf.isEmpty || anyOf.contains { message.contains($0) })
            && !excluded.contains { message.contains($0) }
    }

    /// True when the pattern selects every event.
    var matchesEverything: Bool { required.isEmpty && anyOf.isEmpty && excluded.isEmpty }

    /// Reads the next term: its marker (`?`, `-` or a space for a plain term) and its text; nil at the end.
    private static func nextTerm(_ scanner: inout Substring) throws(AWSError) -> (Character, String)? {
        scanner = scanner.drop(while: \.isWhitespace)
        guard var first = scanner.first else { return nil }
        var marker: Character = " "
        if first == "?" || first == "-" {
            marker = first
            scanner.removeFirst()
            guard let next = scanner.first, !next.isWhitespace else {
                throw .logsInvalidParameter("Invalid filter pattern: '\(marker)' must be followed by a term.")
            }
            first = next
        }

        guard first == "\"" else {
            let term = scanner.prefix { !$0.isWhitespace }
            scanner = scanner.dropFirst(term.count)
            if term.contains("\"") {
                throw .logsInvalidParameter("Invalid filter pattern: a quote must start a term: '\(term)'.")
            }
            return (marker, String(term))
        }

        scanner.removeFirst()
        var phrase = ""
        while let character = scanner.popFirst() {
            switch character {
            case "\"":
                if let after = scanner.first, !after.isWhitespace {
                    throw .logsInvalidParameter(
                        "Invalid filter pattern: a closing quote must end the term: '\"\(phrase)\"\(after)'.")
                }
                return (marker, phrase)
            case "\\":
                guard let escaped = scanner.popFirst() else { break }
                phrase.append(escaped)
            default:
                phrase.append(character)
            }
        }
        throw .logsInvalidParameter("Invalid filter pattern: the quoted phrase '\(phrase)' is not closed.")
    }
}
