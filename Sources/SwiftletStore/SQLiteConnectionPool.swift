import Synchronization

/// Connections to one database, lent out one per caller so that readers run in parallel (WAL lets them) and a
/// connection's statement cache is never shared between threads.
public final class SQLiteConnectionPool: Sendable {
    private let path: String
    /// Idle connections. `SQLiteConnection` is not Sendable; the pool hands each to one borrower at a time.
    private let idle: Mutex<[ConnectionBox]>

    /// A connection in transit between the pool and one borrower.
    private struct ConnectionBox: @unchecked Sendable {
        let connection: SQLiteConnection
    }

    /// Opens the first connection, so that a bad path fails at start rather than on the first request.
    public init(path: String) throws(SQLiteError) {
        self.path = path
        let first = try SQLiteConnection(path: path)
        idle = Mutex([ConnectionBox(connection: first)])
    }

    /// Lends a connection to `body` and takes it back afterwards.
    @discardableResult
    public func withConnection<Result>(_ body: (SQLiteConnection) throws -> Result) throws -> Result {
        let box = try idle.withLock { $0.popLast() } ?? ConnectionBox(connection: SQLiteConnection(path: path))
        defer { idle.withLock { $0.append(box) } }
        return try body(box.connection)
    }
}
