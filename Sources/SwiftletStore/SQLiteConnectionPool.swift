import Foundation
import Synchronization

/// Connections to one database, lent out one per caller so that readers run in parallel (WAL lets them) and a
/// connection's statement cache is never shared between threads.
///
/// Idle connections are kept in shards chosen by the borrowing thread, so threads serving requests in parallel
/// do not meet on one lock, and a thread usually gets back the connection (and prepared statements) it used last.
public final class SQLiteConnectionPool: Sendable {
    private let path: String
    private let shards: [Shard]
    private static let shardCount = 8

    /// A connection in transit between the pool and one borrower. `SQLiteConnection` is not Sendable; the pool hands
    /// each to one borrower at a time.
    private struct ConnectionBox: @unchecked Sendable {
        let connection: SQLiteConnection
    }

    private final class Shard: Sendable {
        let idle = Mutex<[ConnectionBox]>([])
    }

    /// Opens the first connection, so that a bad path fails at start rather than on the first request.
    public init(path: String) throws(SQLiteError) {
        self.path = path
        shards = (0..<Self.shardCount).map { _ in Shard() }
        let first = try SQLiteConnection(path: path)
        shards[0].idle.withLock { $0.append(ConnectionBox(connection: first)) }
    }

    /// Lends a connection to `body` and takes it back afterwards.
    @discardableResult
    public func withConnection<Result>(_ body: (SQLiteConnection) throws -> Result) throws -> Result {
        // Thread structures are page-aligned, so the low bits of the id carry nothing.
        let shard = shards[Int((UInt(pthread_self()) >> 12) % UInt(Self.shardCount))]
        let box = try shard.idle.withLock { $0.popLast() } ?? ConnectionBox(connection: SQLiteConnection(path: path))
        defer { shard.idle.withLock { $0.append(box) } }
        return try body(box.connection)
    }
}
