/// A failed SQLite call: the result code and SQLite's own explanation.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// The extended result code.
    public var code: Int32
    /// `sqlite3_errmsg` at the time of failure.
    public var message: String
    /// The statement or call that failed.
    public var context: String

    public var description: String { "SQLite error \(code) in \(context): \(message)" }
}
