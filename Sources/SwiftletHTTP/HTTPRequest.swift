import Foundation

/// Header fields, matched without regard to case as HTTP requires; order and repeats are kept.
public struct HTTPHeaders: Sendable, Sequence {
    private var fields: [(name: String, value: String)]

    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of `name`, if any.
    public subscript(_ name: String) -> String? {
        fields.first(where: { Self.sameName($0.name, name) })?.value
    }

    /// ASCII case-insensitive equality, which is all header names need; Foundation's comparison is far slower.
    static func sameName(_ left: String, _ right: String) -> Bool {
        let a = left.utf8
        let b = right.utf8
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            let lowerX = x >= 0x41 && x <= 0x5a ? x | 0x20 : x
            let lowerY = y >= 0x41 && y <= 0x5a ? y | 0x20 : y
            if lowerX != lowerY { return false }
        }
        return true
    }

    /// Adds a field, keeping any earlier field of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field named `name` by one with `value`.
    public mutating func set(_ name: String, _ value: String) {
        fields.removeAll(where: { Self.sameName($0.name, name) })
        fields.append((name: name, value: value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }
}

/// A request as the server received it, body included.
public struct HTTPRequest: Sendable {
    /// `GET`, `POST`, ...
    public var method: String
    /// The path, percent-decoded, without the query string.
    public var path: String
    /// Query parameters in order, percent-decoded; a key may repeat.
    public var query: [(name: String, value: String)]
    /// Header fields.
    public var headers: HTTPHeaders
    /// The body; empty when the body was larger than the server accepts (see ``bodyTooLarge``).
    public var body: Data
    /// True when the client sent more than the server's body limit; the bytes past it were discarded.
    public var bodyTooLarge: Bool
    /// The number of body bytes received, counting discarded ones.
    public var bodyLength: Int
    /// The local port the connection reached, when the server reports it; 0 otherwise.
    public var localPort: UInt16 = 0
    /// The tag the connection was adopted with (``HTTPServer/adopt(_:tag:)``), when the server reports local
    /// ports; nil otherwise.
    public var connectionTag: Int?

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [], headers: HTTPHeaders = HTTPHeaders(),
        body: Data = Data(), bodyTooLarge: Bool = false, bodyLength: Int? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.bodyTooLarge = bodyTooLarge
        self.bodyLength = bodyLength ?? body.count
    }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        query.first(where: { $0.name == name })?.value
    }

    /// Every value of query parameter `name`, in order.
    public func queryValues(_ name: String) -> [String] {
        query.filter { $0.name == name }.map(\.value)
    }
}
