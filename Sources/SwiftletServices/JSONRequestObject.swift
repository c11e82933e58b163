import SwiftletSystem

/// A JSON-protocol request body read as an object's members, shared by the services' typed readers.
protocol JSONRequestObject {
    /// The members in document order.
    var members: [(String, JSONValue)] { get }
}

extension JSONRequestObject {
    /// The member, with JSON null read as absent.
    func member(_ key: String) -> JSONValue? {
        guard let value = members.first(where: { $0.0 == key })?.1, !value.isNull else { return nil }
        return value
    }
}
