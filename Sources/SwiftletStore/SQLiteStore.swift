import Foundation
import SwiftletModel
import SwiftletSystem

/// The embedded store: one SQLite database in WAL mode with full sync, so that whatever a request was told is
/// stored survives a crash of the node or of the machine. Layers are in `SQLiteStore+Layers.swift`.
public final class SQLiteStore: FunctionStore {
    let pool: SQLiteConnectionPool
    /// Spares the function lookup of every invocation its JSON decoding.
    let decoded = DecodedConfigurations()

    /// Schema steps, applied in order; `PRAGMA user_version` records how many ran.
    static let migrations: [String] = [
        """
        CREATE TABLE functions (
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            configuration BLOB NOT NULL,
            tags BLOB NOT NULL,
            code_sha256 TEXT NOT NULL,
            code_size INTEGER NOT NULL,
            PRIMARY KEY (account_id, region, name)
        ) WITHOUT ROWID;
        CREATE INDEX functions_by_code ON functions (code_sha256);
        """,
        """
        ALTER TABLE functions ADD COLUMN last_version INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE function_versions (
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            configuration BLOB NOT NULL,
            code_sha256 TEXT NOT NULL,
            code_size INTEGER NOT NULL,
            PRIMARY KEY (account_id, region, name, version)
        ) WITHOUT ROWID;
        CREATE INDEX function_versions_by_code ON function_versions (code_sha256);
        """,
        """
        CREATE TABLE log_groups (
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            retention_days INTEGER,
            PRIMARY KEY (account_id, region, name)
        ) WITHOUT ROWID;
        CREATE TABLE log_streams (
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            group_name TEXT NOT NULL,
            name TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            first_event_ms INTEGER,
            last_event_ms INTEGER,
            last_ingestion_ms INTEGER,
            stored_bytes INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (account_id, region, group_name, name)
        ) WITHOUT ROWID;
        CREATE TABLE log_events (
            id INTEGER PRIMARY KEY,
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            group_name TEXT NOT NULL,
            stream_name TEXT NOT NULL,
            timestamp_ms INTEGER NOT NULL,
            ingestion_ms INTEGER NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX log_events_by_group ON log_events (account_id, region, group_name, timestamp_ms, id);
        CREATE INDEX log_events_by_stream
            ON log_events (account_id, region, group_name, stream_name, timestamp_ms, id);
        """,
        """
        CREATE TABLE layers (
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            last_version INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (account_id, region, name)
        ) WITHOUT ROWID;
        CREATE TABLE layer_versions (
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            document BLOB NOT NULL,
            code_sha256 TEXT NOT NULL,
            code_size INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            policy_revision TEXT NOT NULL,
            PRIMARY KEY (account_id, region, name, version)
        ) WITHOUT ROWID;
        CREATE INDEX layer_versions_by_code ON layer_versions (code_sha256);
        CREATE TABLE layer_version_statements (
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            statement_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            principal TEXT NOT NULL,
            organization_id TEXT,
            PRIMARY KEY (account_id, region, name, version, statement_id)
        ) WITHOUT ROWID;
        CREATE TABLE function_layers (
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            name TEXT NOT NULL,
            version INTEGER NOT NULL,
            position INTEGER NOT NULL,
            code_sha256 TEXT NOT NULL,
            PRIMARY KEY (account_id, region, name, version, position)
        ) WITHOUT ROWID;
        CREATE INDEX function_layers_by_code ON function_layers (code_sha256);
        """,
        """
        CREATE TABLE function_aliases (
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            function_name TEXT NOT NULL,
            name TEXT NOT NULL,
            document BLOB NOT NULL,
            PRIMARY KEY (account_id, region, function_name, name)
        ) WITHOUT ROWID;
        """,
        "ALTER TABLE functions ADD COLUMN reserved_concurrency INTEGER;",
        """
        CREATE TABLE provisioned_concurrency (
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            function_name TEXT NOT NULL,
            qualifier TEXT NOT NULL,
            requested INTEGER NOT NULL,
            last_modified_ms INTEGER NOT NULL,
            PRIMARY KEY (account_id, region, function_name, qualifier)
        ) WITHOUT ROWID;
        """,
        """
        CREATE TABLE event_invoke_configs (
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            function_name TEXT NOT NULL,
            qualifier TEXT NOT NULL,
            document BLOB NOT NULL,
            PRIMARY KEY (account_id, region, function_name, qualifier)
        ) WITHOUT ROWID;
        """,
        """
        CREATE TABLE event_source_mappings (
            uuid TEXT PRIMARY KEY,
            account_id TEXT NOT NULL,
            region TEXT NOT NULL,
            function_name TEXT NOT NULL,
            event_source_arn TEXT NOT NULL,
            document BLOB NOT NULL
        ) WITHOUT ROWID;
        """,
    ]

    /// Opens or creates the database at `path` and brings its schema up to date.
    public init(path: String) throws {
        pool = try SQLiteConnectionPool(path: path)
        try pool.withConnection { connection in
            try connection.transaction {
                let current = try connection.withStatement("PRAGMA user_version") { statement throws(SQLiteError) in
                    try statement.step() ? Int(statement.integer(0)) : 0
                }
                for (index, migration) in Self.migrations.enumerated() where index >= current {
                    // Databases made while the versions table was still part of the first step already have it.
                    if index == 1, try Self.hasColumn(connection, table: "functions", column: "last_version") {
                        continue
                    }
                    try connection.execute(migration)
                }
                try connection.execute("PRAGMA user_version = \(Self.migrations.count)")
            }
        }
    }

    public func insertFunction(_ record: FunctionRecord) throws {
        let row = try Self.encode(record)
        do {
            try pool.withConnection { connection in
                try connection.transaction {
                    try connection.run(
                        "INSERT INTO functions (account_id, region, name, configuration, tags, code_sha256, code_size, "
                            + "last_version, reserved_concurrency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
                    try Self.writeFunctionLayers(
                        connection, key: Array(row.prefix(3)), version: 0, record.configuration.layers)
                }
            }
        } catch let error as SQLiteError where error.code == 1555 || error.code == 2067 {
            // SQLITE_CONSTRAINT_PRIMARYKEY or SQLITE_CONSTRAINT_UNIQUE: the name is taken.
            throw StoreError.alreadyExists
        }
    }

    public func function(accountId: String, region: String, name: String) throws -> FunctionRecord? {
        try pool.withConnection { connection in
            try Self.read(connection, accountId: accountId, region: region, name: name, decoded: decoded)
        }
    }

    public func listFunctions(
        accountId: String, region: String, after marker: String?, limit: Int
    ) throws
        -> [FunctionRecord]
    {
        try pool.withConnection { connection in
            try connection.withStatement(
                "SELECT configuration, tags, last_version, reserved_concurrency FROM functions "
                    + "WHERE account_id = ? AND region = ? AND name > ? ORDER BY name LIMIT ?",
                [.text(accountId), .text(region), .text(marker ?? ""), .integer(Int64(limit))]
            ) { statement throws(SQLiteError) in
                var records: [FunctionRecord] = []
                while try statement.step() {
                    guard let record = try? Self.decode(statement, accountId: accountId, region: region) else {
                        continue
                    }
                    records.append(record)
                }
                return records
            }
        }
    }

    @discardableResult
    public func updateFunction(
        accountId: String, region: String, name: String, _ change: (inout FunctionRecord) throws -> Void
    ) throws -> FunctionRecord {
        try pool.withConnection { connection in
            try connection.transaction {
                guard var record = try Self.read(connection, accountId: accountId, region: region, name: name) else {
                    throw StoreError.notFound
                }
                try change(&record)
                let row = try Self.encode(record)
                try connection.run(
                    "UPDATE functions SET configuration = ?, tags = ?, code_sha256 = ?, code_size = ?, "
                        + "last_version = ?, reserved_concurrency = ? WHERE account_id = ? AND region = ? AND name = ?",
                    [row[3], row[4], row[5], row[6], row[7], row[8], row[0], row[1], row[2]])
                try Self.writeFunctionLayers(
                    connection, key: Array(row.prefix(3)), version: 0, record.configuration.layers)
                return record
            }
        }
    }

    public func deleteFunction(accountId: String, region: String, name: String) throws -> DeletedFunction? {
        try pool.withConnection { connection in
            try connection.transaction {
                guard let record = try Self.read(connection, accountId: accountId, region: region, name: name) else {
                    return nil
                }
                let key: [SQLiteValue] = [.text(accountId), .text(region), .text(name)]
                let versions = try Self.readVersions(connection, key: key, after: 0, limit: Int.max)
                try connection.run(
                    "DELETE FROM function_versions WHERE account_id = ? AND region = ? AND name = ?", key)
                try connection.run("DELETE FROM functions WHERE account_id = ? AND region = ? AND name = ?", key)
                try connection.run(
                    "DELETE FROM function_layers WHERE account_id = ? AND region = ? AND name = ?", key)
                try connection.run(
                    "DELETE FROM function_aliases WHERE account_id = ? AND region = ? AND function_name = ?", key)
                try connection.run(
                    "DELETE FROM provisioned_concurrency WHERE account_id = ? AND region = ? AND function_name = ?",
                    key)
                try connection.run(
                    "DELETE FROM event_invoke_configs WHERE account_id = ? AND region = ? AND function_name = ?", key)
                return DeletedFunction(latest: record, versions: versions)
            }
        }
    }

    public func publishVersion(
        accountId: String, region: String, name: String,
        _ decide: (FunctionRecord, FunctionConfiguration?) throws -> FunctionConfiguration?
    ) throws -> FunctionConfiguration {
        try pool.withConnection { connection in
            try connection.transaction {
                guard var record = try Self.read(connection, accountId: accountId, region: region, name: name) else {
                    throw StoreError.notFound
                }
                let key: [SQLiteValue] = [.text(accountId), .text(region), .text(name)]
                let newest = try connection.withStatement(
                    "SELECT configuration FROM function_versions WHERE account_id = ? AND region = ? AND name = ? "
                        + "ORDER BY version DESC LIMIT 1", key
                ) { statement throws(SQLiteError) in
                    try statement.step() ? try? Self.decodeConfiguration(statement.blob(0)) : nil
                }
                guard var published = try decide(record, newest) else {
                    guard let newest else { throw StoreError.notFound }
                    return newest
                }
                record.lastPublishedVersion += 1
                published.version = String(record.lastPublishedVersion)
                try connection.run(
                    "INSERT INTO function_versions (account_id, region, name, version, configuration, code_sha256, "
                        + "code_size) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    key + [
                        .integer(Int64(record.lastPublishedVersion)), .blob(try Self.encodeConfiguration(published)),
                        .text(published.code.sha256Hex), .integer(published.code.size),
                    ])
                try connection.run(
                    "UPDATE functions SET last_version = ? WHERE account_id = ? AND region = ? AND name = ?",
                    [.integer(Int64(record.lastPublishedVersion))] + key)
                try Self.writeFunctionLayers(
                    connection, key: key, version: record.lastPublishedVersion, published.layers)
                return published
            }
        }
    }

    public func version(
        accountId: String, region: String, name: String, version: Int
    ) throws
        -> FunctionConfiguration?
    {
        try pool.withConnection { connection in
            try connection.withStatement(
                "SELECT configuration FROM function_versions WHERE account_id = ? AND region = ? AND name = ? "
                    + "AND version = ?",
                [.text(accountId), .text(region), .text(name), .integer(Int64(version))]
            ) { statement throws(SQLiteError) in
                try statement.step() ? try? Self.decodeConfiguration(statement.blob(0)) : nil
            }
        }
    }

    public func listVersions(
        accountId: String, region: String, name: String, after: Int, limit: Int
    ) throws
        -> [FunctionConfiguration]
    {
        try pool.withConnection { connection in
            try Self.readVersions(
                connection, key: [.text(accountId), .text(region), .text(name)], after: after, limit: limit)
        }
    }

    public func deleteVersion(
        accountId: String, region: String, name: String, version: Int
    ) throws
        -> FunctionConfiguration?
    {
        try pool.withConnection { connection in
            try connection.transaction {
                let key: [SQLiteValue] = [.text(accountId), .text(region), .text(name), .integer(Int64(version))]
                let existing = try connection.withStatement(
                    "SELECT configuration FROM function_versions WHERE account_id = ? AND region = ? AND name = ? "
                        + "AND version = ?", key
                ) { statement throws(SQLiteError) in
                    try statement.step() ? try? Self.decodeConfiguration(statement.blob(0)) : nil
                }
                guard let existing else { return nil }
                try connection.run(
                    "DELETE FROM function_versions WHERE account_id = ? AND region = ? AND name = ? AND version = ?",
                    key)
                try connection.run(
                    "DELETE FROM function_layers WHERE account_id = ? AND region = ? AND name = ? AND version = ?",
                    key)
                try connection.run(
                    "DELETE FROM provisioned_concurrency WHERE account_id = ? AND region = ? AND function_name = ? "
                        + "AND qualifier = ?", Array(key.prefix(3)) + [.text(String(version))])
                try connection.run(
                    "DELETE FROM event_invoke_configs WHERE account_id = ? AND region = ? AND function_name = ? "
                        + "AND qualifier = ?", Array(key.prefix(3)) + [.text(String(version))])
                return existing
            }
        }
    }

    public func codeReferences(sha256Hex: String) throws -> Int {
        try pool.withConnection { connection in
            try connection.withStatement(
                "SELECT (SELECT count(*) FROM functions WHERE code_sha256 = ?1) "
                    + "+ (SELECT count(*) FROM function_versions WHERE code_sha256 = ?1) "
                    + "+ (SELECT count(*) FROM layer_versions WHERE code_sha256 = ?1) "
                    + "+ (SELECT count(*) FROM function_layers WHERE code_sha256 = ?1)", [.text(sha256Hex)]
            ) { statement throws(SQLiteError) in
                try statement.step() ? Int(statement.integer(0)) : 0
            }
        }
    }

    public func accountUsage(accountId: String) throws -> AccountUsage {
        try pool.withConnection { connection in
            try connection.withStatement(
                "SELECT (SELECT count(*) FROM functions WHERE account_id = ?1), "
                    + "(SELECT coalesce(sum(code_size), 0) FROM functions WHERE account_id = ?1) "
                    + "+ (SELECT coalesce(sum(code_size), 0) FROM function_versions WHERE account_id = ?1) "
                    + "+ (SELECT coalesce(sum(code_size), 0) FROM layer_versions WHERE account_id = ?1)",
                [.text(accountId)]
            ) { statement throws(SQLiteError) in
                guard try statement.step() else { return AccountUsage(functionCount: 0, totalCodeSize: 0) }
                return AccountUsage(functionCount: Int(statement.integer(0)), totalCodeSize: statement.integer(1))
            }
        }
    }

    public func reserveConcurrency(
        accountId: String, region: String, name: String, _ value: Int?, check: (Int) throws -> Void
    ) throws {
        try pool.withConnection { connection in
            try connection.transaction {
                let others = try Self.reservedTotal(connection, accountId: accountId, region: region, excluding: name)
                try check(others)
                let changed = try connection.run(
                    "UPDATE functions SET reserved_concurrency = ? WHERE account_id = ? AND region = ? AND name = ?",
                    [value.map { .integer(Int64($0)) } ?? .null, .text(accountId), .text(region), .text(name)])
                guard changed > 0 else { throw StoreError.notFound }
            }
        }
    }

    public func reservedConcurrencyTotal(accountId: String, region: String) throws -> Int {
        try pool.withConnection { connection in
            try Self.reservedTotal(connection, accountId: accountId, region: region, excluding: nil)
        }
    }

    private static func reservedTotal(
        _ connection: SQLiteConnection, accountId: String, region: String, excluding name: String?
    ) throws -> Int {
        try connection.withStatement(
            "SELECT coalesce(sum(reserved_concurrency), 0) FROM functions "
                + "WHERE account_id = ? AND region = ? AND name != ?",
            [.text(accountId), .text(region), .text(name ?? "")]
        ) { statement throws(SQLiteError) in
            try statement.step() ? Int(statement.integer(0)) : 0
        }
    }

    public func putProvisionedConcurrency(
        _ config: ProvisionedConcurrencyConfig, check: ([ProvisionedConcurrencyConfig]) throws -> Void
    ) throws {
        try pool.withConnection { connection in
            try connection.transaction {
                let key: [SQLiteValue] = [.text(config.accountId), .text(config.region), .text(config.functionName)]
                let existing = try Self.readProvisioned(
                    connection, where: "account_id = ? AND region = ? AND function_name = ?", key)
                try check(existing.filter { $0.qualifier != config.qualifier })
                try connection.run(
                    "INSERT OR REPLACE INTO provisioned_concurrency (account_id, region, function_name, qualifier, "
                        + "requested, last_modified_ms) VALUES (?, ?, ?, ?, ?, ?)",
                    key + [
                        .text(config.qualifier), .integer(Int64(config.requested)),
                        .integer(Int64((config.lastModified.timeIntervalSince1970 * 1000).rounded())),
                    ])
            }
        }
    }

    public func provisionedConcurrency(functionName: String?) throws -> [ProvisionedConcurrencyConfig] {
        try pool.withConnection { connection in
            guard let functionName else { return try Self.readProvisioned(connection, where: "1", []) }
            return try Self.readProvisioned(connection, where: "function_name = ?", [.text(functionName)])
        }
    }

    public func deleteProvisionedConcurrency(
        accountId: String, region: String, functionName: String, qualifier: String
    ) throws -> ProvisionedConcurrencyConfig? {
        try pool.withConnection { connection in
            try connection.transaction {
                let key: [SQLiteValue] = [.text(accountId), .text(region), .text(functionName), .text(qualifier)]
                let clause = "account_id = ? AND region = ? AND function_name = ? AND qualifier = ?"
                let existing = try Self.readProvisioned(connection, where: clause, key).first
                try connection.run("DELETE FROM provisioned_concurrency WHERE \(clause)", key)
                return existing
            }
        }
    }

    private static func readProvisioned(
        _ connection: SQLiteConnection, where clause: String, _ arguments: [SQLiteValue]
    ) throws -> [ProvisionedConcurrencyConfig] {
        try connection.withStatement(
            "SELECT account_id, region, function_name, qualifier, requested, last_modified_ms "
                + "FROM provisioned_concurrency WHERE \(clause) ORDER BY account_id, region, function_name, qualifier",
            arguments
        ) { statement throws(SQLiteError) in
            var configs: [ProvisionedConcurrencyConfig] = []
            while try statement.step() {
                configs.append(
                    ProvisionedConcurrencyConfig(
                        accountId: statement.text(0) ?? "", region: statement.text(1) ?? "",
                        functionName: statement.text(2) ?? "", qualifier: statement.text(3) ?? "",
                        requested: Int(statement.integer(4)),
                        lastModified: Date(timeIntervalSince1970: Double(statement.integer(5)) / 1000)))
            }
            return configs
        }
    }

    // MARK: - Rows

    private static func read(
        _ connection: SQLiteConnection, accountId: String, region: String, name: String,
        decoded: DecodedConfigurations? = nil
    ) throws
        -> FunctionRecord?
    {
        try connection.withStatement(
            "SELECT configuration, tags, last_version, reserved_concurrency FROM functions "
                + "WHERE account_id = ? AND region = ? AND name = ?",
            [.text(accountId), .text(region), .text(name)]
        ) { statement throws(SQLiteError) in
            guard try statement.step() else { return nil }
            do {
                return try decode(
                    statement, accountId: accountId, region: region,
                    decoded: decoded.map { ($0, "\(accountId)\u{0}\(region)\u{0}\(name)") })
            } catch {
                throw SQLiteError(code: 11, message: "undecodable function row: \(error)", context: "read \(name)")
            }
        }
    }

    private static func decode(
        _ statement: SQLiteStatement, accountId: String, region: String,
        decoded: (cache: DecodedConfigurations, key: String)? = nil
    ) throws
        -> FunctionRecord
    {
        let stored = statement.blob(0)
        let configuration =
            try decoded.map { try $0.cache.configuration(for: $0.key, stored: stored, decode: decodeConfiguration) }
            ?? decodeConfiguration(stored)
        var tags: [String: String] = [:]
        if case .object(let members) = try JSONValue.parse(statement.blob(1)) {
            for (key, value) in members { tags[key] = value.stringValue ?? "" }
        }
        return FunctionRecord(
            accountId: accountId, region: region, configuration: configuration, tags: tags,
            lastPublishedVersion: Int(statement.integer(2)),
            reservedConcurrency: statement.optionalInteger(3).map { Int($0) })
    }

    /// Replaces the layer references of `$LATEST` (version 0) or of a published version, so that
    /// `codeReferences` can count them with an index.
    private static func writeFunctionLayers(
        _ connection: SQLiteConnection, key: [SQLiteValue], version: Int, _ layers: [FunctionLayer]
    ) throws {
        let versionKey = key + [.integer(Int64(version))]
        try connection.run(
            "DELETE FROM function_layers WHERE account_id = ? AND region = ? AND name = ? AND version = ?", versionKey)
        for (position, layer) in layers.enumerated() {
            try connection.run(
                "INSERT INTO function_layers (account_id, region, name, version, position, code_sha256) "
                    + "VALUES (?, ?, ?, ?, ?, ?)",
                versionKey + [.integer(Int64(position)), .text(layer.sha256Hex)])
        }
    }

    private static func hasColumn(_ connection: SQLiteConnection, table: String, column: String) throws -> Bool {
        try connection.withStatement(
            "SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", [.text(table), .text(column)]
        ) { statement throws(SQLiteError) in
            try statement.step() && statement.integer(0) > 0
        }
    }

    private static func readVersions(
        _ connection: SQLiteConnection, key: [SQLiteValue], after: Int, limit: Int
    ) throws -> [FunctionConfiguration] {
        try connection.withStatement(
            "SELECT configuration FROM function_versions WHERE account_id = ? AND region = ? AND name = ? "
                + "AND version > ? ORDER BY version LIMIT ?",
            key + [.integer(Int64(after)), .integer(Int64(min(limit, Int(Int32.max))))]
        ) { statement throws(SQLiteError) in
            var versions: [FunctionConfiguration] = []
            while try statement.step() {
                if let configuration = try? decodeConfiguration(statement.blob(0)) { versions.append(configuration) }
            }
            return versions
        }
    }

    private static func decodeConfiguration(_ data: Data) throws -> FunctionConfiguration {
        try FunctionConfiguration(storageDocument: JSONValue.parse(data))
    }

    private static func encodeConfiguration(_ configuration: FunctionConfiguration) throws -> Data {
        Data(configuration.storageDocument().serialized())
    }

    private static func encode(_ record: FunctionRecord) throws -> [SQLiteValue] {
        let configuration = record.configuration
        return [
            .text(record.accountId), .text(record.region), .text(configuration.name),
            .blob(try encodeConfiguration(configuration)), .blob(Data(JSONValue.stringMap(record.tags).serialized())),
            .text(configuration.code.sha256Hex), .integer(configuration.code.size),
            .integer(Int64(record.lastPublishedVersion)),
            record.reservedConcurrency.map { .integer(Int64($0)) } ?? .null,
        ]
    }
}
