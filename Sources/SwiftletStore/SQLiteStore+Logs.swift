import Foundation

extension SQLiteStore: LogStore {
    public func append(_ batches: [LogBatch], ingestionTime: Int64) throws {
        guard !batches.isEmpty else { return }
        try pool.withConnection { connection in
            try connection.transaction {
                for batch in batches where !batch.events.isEmpty {
                    let group: [SQLiteValue] = [.text(batch.accountId), .text(batch.region), .text(batch.group)]
                    try connection.run(
                        "INSERT OR IGNORE INTO log_groups (account_id, region, name, created_ms) VALUES (?, ?, ?, ?)",
                        group + [.integer(ingestionTime)])
                    try connection.run(
                        "INSERT OR IGNORE INTO log_streams (account_id, region, group_name, name, created_ms) "
                            + "VALUES (?, ?, ?, ?, ?)", group + [.text(batch.stream), .integer(ingestionTime)])
                    var bytes: Int64 = 0
                    var first = Int64.max
                    var last = Int64.min
                    for event in batch.events {
                        try connection.run(
                            "INSERT INTO log_events (account_id, region, group_name, stream_name, timestamp_ms, "
                                + "ingestion_ms, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            group + [
                                .text(batch.stream), .integer(event.timestamp), .integer(ingestionTime),
                                .text(event.message),
                            ])
                        bytes += Int64(event.message.utf8.count)
                        first = min(first, event.timestamp)
                        last = max(last, event.timestamp)
                    }
                    try connection.run(
                        "UPDATE log_streams SET first_event_ms = min(coalesce(first_event_ms, ?1), ?1), "
                            + "last_event_ms = max(coalesce(last_event_ms, ?2), ?2), last_ingestion_ms = ?3, "
                            + "stored_bytes = stored_bytes + ?4 "
                            + "WHERE account_id = ?5 AND region = ?6 AND group_name = ?7 AND name = ?8",
                        [.integer(first), .integer(last), .integer(ingestionTime), .integer(bytes)] + group
                            + [.text(batch.stream)])
                }
            }
        }
    }

    public func createLogGroup(accountId: String, region: String, name: String, creationTime: Int64) throws {
        let changed = try pool.withConnection { connection in
            try connection.run(
                "INSERT OR IGNORE INTO log_groups (account_id, region, name, created_ms) VALUES (?, ?, ?, ?)",
                [.text(accountId), .text(region), .text(name), .integer(creationTime)])
        }
        if changed == 0 { throw StoreError.alreadyExists }
    }

    public func createLogStream(
        accountId: String, region: String, group: String, name: String, creationTime: Int64
    )
        throws
    {
        try pool.withConnection { connection in
            try connection.transaction {
                guard try Self.readGroup(connection, accountId: accountId, region: region, name: group) != nil else {
                    throw StoreError.notFound
                }
                let changed = try connection.run(
                    "INSERT OR IGNORE INTO log_streams (account_id, region, group_name, name, created_ms) "
                        + "VALUES (?, ?, ?, ?, ?)",
                    [.text(accountId), .text(region), .text(group), .text(name), .integer(creationTime)])
                if changed == 0 { throw StoreError.alreadyExists }
            }
        }
    }

    public func logGroups(
        accountId: String, region: String, prefix: String?, after: String?, limit: Int
    ) throws
        -> [LogGroupInfo]
    {
        try pool.withConnection { connection in
            try connection.withStatement(
                "SELECT g.name, g.created_ms, g.retention_days, "
                    + "(SELECT coalesce(sum(stored_bytes), 0) FROM log_streams s WHERE s.account_id = g.account_id "
                    + "AND s.region = g.region AND s.group_name = g.name) "
                    + "FROM log_groups g WHERE g.account_id = ? AND g.region = ? AND g.name > ? "
                    + "AND substr(g.name, 1, length(?4)) = ?4 ORDER BY g.name LIMIT ?",
                [.text(accountId), .text(region), .text(after ?? ""), .text(prefix ?? ""), .integer(Int64(limit))]
            ) { statement throws(SQLiteError) in
                var groups: [LogGroupInfo] = []
                while try statement.step() { groups.append(Self.group(from: statement)) }
                return groups
            }
        }
    }

    public func logGroup(accountId: String, region: String, name: String) throws -> LogGroupInfo? {
        try pool.withConnection { connection in
            try Self.readGroup(connection, accountId: accountId, region: region, name: name)
        }
    }

    public func logStreams(
        accountId: String, region: String, group: String, prefix: String?, orderByLastEvent: Bool, descending: Bool,
        skip: Int, limit: Int
    ) throws -> [LogStreamInfo] {
        let order = orderByLastEvent ? "coalesce(last_event_ms, created_ms)" : "name"
        let direction = descending ? "DESC" : "ASC"
        return try pool.withConnection { connection in
            try connection.withStatement(
                "SELECT name, created_ms, first_event_ms, last_event_ms, last_ingestion_ms, stored_bytes "
                    + "FROM log_streams WHERE account_id = ? AND region = ? AND group_name = ? "
                    + "AND substr(name, 1, length(?4)) = ?4 ORDER BY \(order) \(direction), name \(direction) "
                    + "LIMIT ? OFFSET ?",
                [
                    .text(accountId), .text(region), .text(group), .text(prefix ?? ""), .integer(Int64(limit)),
                    .integer(Int64(skip)),
                ]
            ) { statement throws(SQLiteError) in
                var streams: [LogStreamInfo] = []
                while try statement.step() {
                    streams.append(
                        LogStreamInfo(
                            name: statement.text(0) ?? "", creationTime: statement.integer(1),
                            firstEventTimestamp: statement.optionalInteger(2),
                            lastEventTimestamp: statement.optionalInteger(3),
                            lastIngestionTime: statement.optionalInteger(4), storedBytes: statement.integer(5)))
                }
                return streams
            }
        }
    }

    public func events(_ query: LogEventQuery) throws -> [StoredLogEvent] {
        var sql =
            "SELECT id, stream_name, timestamp_ms, ingestion_ms, message FROM log_events "
            + "WHERE account_id = ? AND region = ? AND group_name = ?"
        var arguments: [SQLiteValue] = [.text(query.accountId), .text(query.region), .text(query.group)]
        if let streams = query.streams {
            guard !streams.isEmpty else { return [] }
            sql += " AND stream_name IN (" + streams.map { _ in "?" }.joined(separator: ", ") + ")"
            arguments += streams.map { .text($0) }
        }
        if let prefix = query.streamPrefix {
            sql += " AND substr(stream_name, 1, length(?)) = ?"
            arguments += [.text(prefix), .text(prefix)]
        }
        if let start = query.start {
            sql += " AND timestamp_ms >= ?"
            arguments.append(.integer(start))
        }
        if let end = query.end {
            sql += " AND timestamp_ms < ?"
            arguments.append(.integer(end))
        }
        if let after = query.after {
            sql += query.descending ? " AND (timestamp_ms, id) < (?, ?)" : " AND (timestamp_ms, id) > (?, ?)"
            arguments += [.integer(after.timestamp), .integer(after.id)]
        }
        let direction = query.descending ? "DESC" : "ASC"
        sql += " ORDER BY timestamp_ms \(direction), id \(direction) LIMIT ?"
        arguments.append(.integer(Int64(query.limit)))
        return try pool.withConnection { connection in
            try connection.withStatement(sql, arguments) { statement throws(SQLiteError) in
                var events: [StoredLogEvent] = []
                while try statement.step() {
                    events.append(
                        StoredLogEvent(
                            id: statement.integer(0), stream: statement.text(1) ?? "", timestamp: statement.integer(2),
                            ingestionTime: statement.integer(3), message: statement.text(4) ?? ""))
                }
                return events
            }
        }
    }

    public func deleteLogGroup(accountId: String, region: String, name: String) throws -> Bool {
        try pool.withConnection { connection in
            try connection.transaction {
                let key: [SQLiteValue] = [.text(accountId), .text(region), .text(name)]
                try connection.run("DELETE FROM log_events WHERE account_id = ? AND region = ? AND group_name = ?", key)
                try connection.run(
                    "DELETE FROM log_streams WHERE account_id = ? AND region = ? AND group_name = ?", key)
                return try connection.run(
                    "DELETE FROM log_groups WHERE account_id = ? AND region = ? AND name = ?", key)
                    > 0
            }
        }
    }

    public func setRetention(accountId: String, region: String, group: String, days: Int?) throws -> Bool {
        try pool.withConnection { connection in
            try connection.run(
                "UPDATE log_groups SET retention_days = ? WHERE account_id = ? AND region = ? AND name = ?",
                [days.map { .integer(Int64($0)) } ?? .null, .text(accountId), .text(region), .text(group)]) > 0
        }
    }

    public func expireEvents(now: Int64) throws -> Int {
        try pool.withConnection { connection in
            try connection.transaction {
                let deleted = try connection.run(
                    "DELETE FROM log_events WHERE id IN (SELECT e.id FROM log_events e JOIN log_groups g "
                        + "ON g.account_id = e.account_id AND g.region = e.region AND g.name = e.group_name "
                        + "WHERE g.retention_days IS NOT NULL AND e.timestamp_ms < ? - g.retention_days * 86400000)",
                    [.integer(now)])
                if deleted > 0 {
                    // Stored bytes count what is kept, so recount the streams of groups that expire events.
                    try connection.run(
                        "UPDATE log_streams SET stored_bytes = "
                            + "(SELECT coalesce(sum(length(CAST(e.message AS BLOB))), 0) "
                            + "FROM log_events e WHERE e.account_id = log_streams.account_id "
                            + "AND e.region = log_streams.region AND e.group_name = log_streams.group_name "
                            + "AND e.stream_name = log_streams.name) "
                            + "WHERE EXISTS (SELECT 1 FROM log_groups g WHERE g.account_id = log_streams.account_id "
                            + "AND g.region = log_streams.region AND g.name = log_streams.group_name "
                            + "AND g.retention_days IS NOT NULL)")
                }
                return deleted
            }
        }
    }

    private static func readGroup(
        _ connection: SQLiteConnection, accountId: String, region: String, name: String
    )
        throws -> LogGroupInfo?
    {
        try connection.withStatement(
            "SELECT g.name, g.created_ms, g.retention_days, "
                + "(SELECT coalesce(sum(stored_bytes), 0) FROM log_streams s WHERE s.account_id = g.account_id "
                + "AND s.region = g.region AND s.group_name = g.name) "
                + "FROM log_groups g WHERE g.account_id = ? AND g.region = ? AND g.name = ?",
            [.text(accountId), .text(region), .text(name)]
        ) { statement throws(SQLiteError) in
            try statement.step() ? group(from: statement) : nil
        }
    }

    private static func group(from statement: SQLiteStatement) -> LogGroupInfo {
        LogGroupInfo(
            name: statement.text(0) ?? "", creationTime: statement.integer(1),
            retentionDays: statement.optionalInteger(2).map { Int($0) }, storedBytes: statement.integer(3))
    }
}
