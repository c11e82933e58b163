import Foundation
import SwiftletSystem

/// Queues and messages in their own SQLite database (WAL, `synchronous=FULL`), written by one
/// ``GroupCommitWriter`` so that concurrent sends share a commit. Kept apart from the function store's database so
/// that the two neither share migrations nor wait on each other's write lock.
public final class SQLiteQueueStore: QueueStore {
    private let path: String
    private let writer: GroupCommitWriter<[QueueChange]>

    /// Schema steps of the queue database, applied in order; `PRAGMA user_version` records how many ran. Append
    /// only.
    static let migrations: [String] = [
        """
        CREATE TABLE queues (
            id INTEGER PRIMARY KEY,
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            modified_ms INTEGER NOT NULL,
            attributes BLOB NOT NULL,
            tags BLOB NOT NULL,
            UNIQUE (account_id, region, name)
        );
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            queue_id INTEGER NOT NULL,
            message_id TEXT NOT NULL,
            body TEXT NOT NULL,
            attributes BLOB,
            system_attributes BLOB,
            sent_ms INTEGER NOT NULL,
            sender_id TEXT NOT NULL,
            group_id TEXT,
            deduplication_id TEXT,
            sequence_number TEXT,
            visible_ms INTEGER NOT NULL,
            receive_count INTEGER NOT NULL,
            first_receive_ms INTEGER
        );
        CREATE INDEX messages_by_queue ON messages (queue_id, id);
        CREATE TABLE deduplications (
            queue_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            message_id TEXT NOT NULL,
            sequence_number TEXT,
            expires_ms INTEGER NOT NULL,
            PRIMARY KEY (queue_id, key)
        ) WITHOUT ROWID;
        """
    ]

    /// Opens or creates the database at `path`, brings its schema up to date and starts the writer.
    /// - Throws: ``SQLiteError`` when the file cannot be opened or migrated.
    public init(path: String) throws {
        self.path = path
        let connection = try SQLiteConnection(path: path)
        try connection.transaction {
            let current = try connection.withStatement("PRAGMA user_version") { statement throws(SQLiteError) in
                try statement.step() ? Int(statement.integer(0)) : 0
            }
            for (index, migration) in Self.migrations.enumerated() where index >= current {
                try connection.execute(migration)
            }
            try connection.execute("PRAGMA user_version = \(Self.migrations.count)")
        }
        writer = GroupCommitWriter(name: "swiftlet.queues.writer", connection: connection) { connection, changes in
            for change in changes { try Self.apply(change, on: connection) }
        }
    }

    public func submit(_ changes: [QueueChange], completion: @escaping @Sendable (Result<Void, any Error>) -> Void) {
        writer.submit(changes, completion: completion)
    }

    public func close() {
        writer.close()
    }

    public func load(now: Int64) throws -> QueueSnapshot {
        let connection = try SQLiteConnection(path: path)
        return try connection.transaction {
            QueueSnapshot(
                queues: try Self.readQueues(connection), messages: try Self.readMessages(connection),
                deduplications: try Self.readDeduplications(connection, now: now))
        }
    }

    private static func readQueues(_ connection: SQLiteConnection) throws -> [QueueRecord] {
        try connection.withStatement(
            "SELECT id, account_id, region, name, created_ms, modified_ms, attributes, tags FROM queues ORDER BY id"
        ) { statement throws(SQLiteError) in
            var queues: [QueueRecord] = []
            while try statement.step() {
                queues.append(
                    QueueRecord(
                        id: statement.integer(0), accountId: statement.text(1) ?? "", region: statement.text(2) ?? "",
                        name: statement.text(3) ?? "", createdAt: statement.integer(4),
                        modifiedAt: statement.integer(5), attributes: QueueRowCoding.stringMap(statement.blob(6)),
                        tags: QueueRowCoding.stringMap(statement.blob(7))))
            }
            return queues
        }
    }

    private static func readMessages(_ connection: SQLiteConnection) throws -> [MessageRecord] {
        try connection.withStatement(
            "SELECT id, queue_id, message_id, body, attributes, system_attributes, sent_ms, sender_id, group_id, "
                + "deduplication_id, sequence_number, visible_ms, receive_count, first_receive_ms FROM messages "
                + "ORDER BY id"
        ) { statement throws(SQLiteError) in
            var messages: [MessageRecord] = []
            while try statement.step() {
                messages.append(
                    MessageRecord(
                        id: statement.integer(0), queueId: statement.integer(1), messageId: statement.text(2) ?? "",
                        body: statement.text(3) ?? "", attributes: QueueRowCoding.attributes(statement.blob(4)),
                        systemAttributes: QueueRowCoding.attributes(statement.blob(5)), sentAt: statement.integer(6),
                        senderId: statement.text(7) ?? "", groupId: statement.text(8),
                        deduplicationId: statement.text(9), sequenceNumber: statement.text(10),
                        visibleAt: statement.integer(11), receiveCount: Int(statement.integer(12)),
                        firstReceivedAt: statement.optionalInteger(13)))
            }
            return messages
        }
    }

    private static func readDeduplications(
        _ connection: SQLiteConnection, now: Int64
    ) throws
        -> [DeduplicationRecord]
    {
        try connection.withStatement(
            "SELECT queue_id, key, message_id, sequence_number, expires_ms FROM deduplications WHERE expires_ms > ?",
            [.integer(now)]
        ) { statement throws(SQLiteError) in
            var entries: [DeduplicationRecord] = []
            while try statement.step() {
                entries.append(
                    DeduplicationRecord(
                        queueId: statement.integer(0), key: statement.text(1) ?? "", messageId: statement.text(2) ?? "",
                        sequenceNumber: statement.text(3), expiresAt: statement.integer(4)))
            }
            return entries
        }
    }

    /// Runs one change's statements on the writer's connection.
    static func apply(_ change: QueueChange, on connection: SQLiteConnection) throws {
        switch change {
        case .putQueue(let queue):
            try connection.run(
                "INSERT INTO queues (id, account_id, region, name, created_ms, modified_ms, attributes, tags) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                    + "modified_ms = excluded.modified_ms, attributes = excluded.attributes, tags = excluded.tags",
                [
                    .integer(queue.id), .text(queue.accountId), .text(queue.region), .text(queue.name),
                    .integer(queue.createdAt), .integer(queue.modifiedAt),
                    .blob(QueueRowCoding.encode(queue.attributes)), .blob(QueueRowCoding.encode(queue.tags)),
                ])
        case .deleteQueue(let id):
            try connection.run("DELETE FROM messages WHERE queue_id = ?", [.integer(id)])
            try connection.run("DELETE FROM deduplications WHERE queue_id = ?", [.integer(id)])
            try connection.run("DELETE FROM queues WHERE id = ?", [.integer(id)])
        case .insertMessage(let message):
            try connection.run(
                "INSERT INTO messages (id, queue_id, message_id, body, attributes, system_attributes, sent_ms, "
                    + "sender_id, group_id, deduplication_id, sequence_number, visible_ms, receive_count, "
                    + "first_receive_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                QueueRowCoding.row(message))
        case .updateDelivery(let id, let visibleAt, let receiveCount, let firstReceivedAt):
            try connection.run(
                "UPDATE messages SET visible_ms = ?, receive_count = ?, first_receive_ms = ? WHERE id = ?",
                [
                    .integer(visibleAt), .integer(Int64(receiveCount)), firstReceivedAt.map { .integer($0) } ?? .null,
                    .integer(id),
                ])
        case .deleteMessage(let id):
            try connection.run("DELETE FROM messages WHERE id = ?", [.integer(id)])
        case .moveMessage(let id, let queueId, let visibleAt):
            try connection.run(
                "UPDATE messages SET queue_id = ?, visible_ms = ? WHERE id = ?",
                [.integer(queueId), .integer(visibleAt), .integer(id)])
        case .purgeQueue(let id):
            try connection.run("DELETE FROM messages WHERE queue_id = ?", [.integer(id)])
        case .putDeduplication(let entry):
            try connection.run(
                "INSERT OR REPLACE INTO deduplications (queue_id, key, message_id, sequence_number, expires_ms) "
                    + "VALUES (?, ?, ?, ?, ?)",
                [
                    .integer(entry.queueId), .text(entry.key), .text(entry.messageId),
                    entry.sequenceNumber.map { .text($0) } ?? .null, .integer(entry.expiresAt),
                ])
        case .expireDeduplications(let before):
            try connection.run("DELETE FROM deduplications WHERE expires_ms <= ?", [.integer(before)])
        }
    }
}
