import Foundation
import SwiftletModel

/// A position in a listing, handed to clients as an opaque `nextToken`: base64 of a short text that names the
/// kind of listing and where the next page starts. A token of one kind is refused by the others.
enum PageToken: Equatable {
    /// DescribeLogGroups: the next page holds groups named after this.
    case groupsAfter(String)
    /// DescribeLogStreams: the next page skips this many streams.
    case streamsSkipping(Int)
    /// GetLogEvents, reading forward: events ordered after (timestamp, id).
    case forward(timestamp: Int64, id: Int64)
    /// GetLogEvents, reading backward: events ordered before (timestamp, id).
    case backward(timestamp: Int64, id: Int64)
    /// FilterLogEvents, oldest first: events ordered after (timestamp, id).
    case filterAfter(timestamp: Int64, id: Int64)
    /// FilterLogEvents, newest first (`startFromHead` false): events ordered before (timestamp, id).
    case filterBefore(timestamp: Int64, id: Int64)

    /// The token as the client sees it.
    var encoded: String {
        let text: String
        switch self {
        case .groupsAfter(let name): text = "g/" + name
        case .streamsSkipping(let count): text = "s/\(count)"
        case .forward(let timestamp, let id): text = "f/\(timestamp)/\(id)"
        case .backward(let timestamp, let id): text = "b/\(timestamp)/\(id)"
        case .filterAfter(let timestamp, let id): text = "e/\(timestamp)/\(id)"
        case .filterBefore(let timestamp, let id): text = "l/\(timestamp)/\(id)"
        }
        return Data(text.utf8).base64EncodedString()
    }

    /// Reads a token a client sent back; nil when this node could not have made it.
    init?(decoding token: String) {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8),
            text.count >= 2, text.dropFirst().first == "/"
        else { return nil }
        let rest = String(text.dropFirst(2))
        switch text.first {
        case "g":
            self = .groupsAfter(rest)
        case "s":
            guard let count = Int(rest), count >= 0 else { return nil }
            self = .streamsSkipping(count)
        case "f", "b", "e", "l":
            let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let timestamp = Int64(parts[0]), let id = Int64(parts[1]) else { return nil }
            switch text.first {
            case "f": self = .forward(timestamp: timestamp, id: id)
            case "b": self = .backward(timestamp: timestamp, id: id)
            case "e": self = .filterAfter(timestamp: timestamp, id: id)
            default: self = .filterBefore(timestamp: timestamp, id: id)
            }
        default:
            return nil
        }
    }

    /// Decodes an optional request token, refusing one this node did not make.
    static func read(_ token: String?) throws(AWSError) -> PageToken? {
        guard let token else { return nil }
        guard let decoded = PageToken(decoding: token) else { throw .invalidNextToken }
        return decoded
    }
}
