import Foundation
import SwiftletModel
import SwiftletSystem

/// Layers in SQLite: `layers` holds each layer's version counter, `layer_versions` one row per version (its
/// document, code digest and size, and the policy's revision), `layer_version_statements` the policy statements.
/// `SQLiteStore` is a `LayerStore` through `FunctionStore`.
extension SQLiteStore {
    public func publishLayerVersion(_ version: LayerVersion) throws -> LayerVersion {
        try pool.withConnection { connection in
            try connection.transaction {
                let key: [SQLiteValue] = [.text(version.accountId), .text(version.region), .text(version.name)]
                try connection.run(
                    "INSERT INTO layers (account_id, region, name, last_version) VALUES (?, ?, ?, 1) "
                        + "ON CONFLICT (account_id, region, name) DO UPDATE SET last_version = last_version + 1",
                    key)
                let number = try connection.withStatement(
                    "SELECT last_version FROM layers WHERE account_id = ? AND region = ? AND name = ?", key
                ) { statement throws(SQLiteError) in
                    try statement.step() ? Int(statement.integer(0)) : 1
                }
                var published = version
                published.version = number
                try connection.run(
                    "INSERT INTO layer_versions (account_id, region, name, version, document, code_sha256, code_size, "
                        + "created_ms, policy_revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    key + [
                        .integer(Int64(number)), .blob(Data(published.storageDocument().serialized())),
                        .text(published.code.sha256Hex), .integer(published.code.size),
                        .integer(Int64((published.created.timeIntervalSince1970 * 1000).rounded())),
                        .text(published.policyRevisionId),
                    ])
                return published
            }
        }
    }

    public func layerVersion(accountId: String, region: String, name: String, version: Int) throws -> LayerVersion? {
        try pool.withConnection { connection in
            try Self.readLayerVersion(connection, accountId: accountId, region: region, name: name, version: version)
        }
    }

    public func listLayerVersions(
        accountId: String, region: String, name: String, before: Int?, matching filter: LayerFilter, limit: Int
    ) throws -> [LayerVersion] {
        try pool.withConnection { connection in
            try connection.withStatement(
                "SELECT version, policy_revision, document FROM layer_versions "
                    + "WHERE account_id = ? AND region = ? AND name = ? AND version < ? ORDER BY version DESC",
                [.text(accountId), .text(region), .text(name), .integer(Int64(before ?? Int(Int64.max)))]
            ) { statement throws(SQLiteError) in
                var versions: [LayerVersion] = []
                while versions.count < limit, try statement.step() {
                    guard
                        let version = try? Self.decodeLayerVersion(
                            statement, accountId: accountId, region: region, name: name),
                        filter.matches(version)
                    else { continue }
                    versions.append(version)
                }
                return versions
            }
        }
    }

    public func listLatestLayerVersions(
        accountId: String, region: String, after marker: String?, matching filter: LayerFilter, limit: Int
    ) throws -> [LayerVersion] {
        try pool.withConnection { connection in
            try connection.withStatement(
                "SELECT name, version, policy_revision, document FROM layer_versions "
                    + "WHERE account_id = ? AND region = ? AND name > ? ORDER BY name, version DESC",
                [.text(accountId), .text(region), .text(marker ?? "")]
            ) { statement throws(SQLiteError) in
                var latest: [LayerVersion] = []
                while latest.count < limit, try statement.step() {
                    let name = statement.text(0) ?? ""
                    // Rows come newest first within a layer: the first match of a name is its latest.
                    if latest.last?.name == name { continue }
                    guard
                        let version = try? Self.decodeLayerVersion(
                            statement, accountId: accountId, region: region, name: name, firstColumn: 1),
                        filter.matches(version)
                    else { continue }
                    latest.append(version)
                }
                return latest
            }
        }
    }

    public func deleteLayerVersion(
        accountId: String, region: String, name: String, version: Int
    ) throws -> LayerVersion? {
        try pool.withConnection { connection in
            try connection.transaction {
                guard
                    let existing = try Self.readLayerVersion(
                        connection, accountId: accountId, region: region, name: name, version: version)
                else { return nil }
                let key: [SQLiteValue] = [.text(accountId), .text(region), .text(name), .integer(Int64(version))]
                try connection.run(
                    "DELETE FROM layer_versions WHERE account_id = ? AND region = ? AND name = ? AND version = ?", key)
                try connection.run(
                    "DELETE FROM layer_version_statements "
                        + "WHERE account_id = ? AND region = ? AND name = ? AND version = ?", key)
                return existing
            }
        }
    }

    public func layerVersionPolicy(
        accountId: String, region: String, name: String, version: Int
    ) throws -> LayerVersionPolicy? {
        try pool.withConnection { connection in
            try Self.readPolicy(
                connection, key: [.text(accountId), .text(region), .text(name), .integer(Int64(version))])
        }
    }

    @discardableResult
    public func updateLayerVersionPolicy(
        accountId: String, region: String, name: String, version: Int,
        _ change: (inout LayerVersionPolicy) throws -> Void
    ) throws -> LayerVersionPolicy {
        try pool.withConnection { connection in
            try connection.transaction {
                let key: [SQLiteValue] = [.text(accountId), .text(region), .text(name), .integer(Int64(version))]
                guard var policy = try Self.readPolicy(connection, key: key) else { throw StoreError.notFound }
                try change(&policy)
                try connection.run(
                    "UPDATE layer_versions SET policy_revision = ? "
                        + "WHERE account_id = ? AND region = ? AND name = ? AND version = ?",
                    [.text(policy.revisionId)] + key)
                try connection.run(
                    "DELETE FROM layer_version_statements "
                        + "WHERE account_id = ? AND region = ? AND name = ? AND version = ?", key)
                for (position, statement) in policy.statements.enumerated() {
                    try connection.run(
                        "INSERT INTO layer_version_statements (account_id, region, name, version, statement_id, "
                            + "position, principal, organization_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        key + [
                            .text(statement.statementId), .integer(Int64(position)), .text(statement.principal),
                            statement.organizationId.map(SQLiteValue.text) ?? .null,
                        ])
                }
                return policy
            }
        }
    }

    // MARK: - Rows

    private static func readLayerVersion(
        _ connection: SQLiteConnection, accountId: String, region: String, name: String, version: Int
    ) throws -> LayerVersion? {
        try connection.withStatement(
            "SELECT version, policy_revision, document FROM layer_versions "
                + "WHERE account_id = ? AND region = ? AND name = ? AND version = ?",
            [.text(accountId), .text(region), .text(name), .integer(Int64(version))]
        ) { statement throws(SQLiteError) in
            guard try statement.step() else { return nil }
            do {
                return try decodeLayerVersion(statement, accountId: accountId, region: region, name: name)
            } catch {
                throw SQLiteError(
                    code: 11, message: "undecodable layer version row: \(error)", context: "read \(name):\(version)")
            }
        }
    }

    /// Decodes `version, policy_revision, document` starting at `firstColumn`.
    private static func decodeLayerVersion(
        _ statement: SQLiteStatement, accountId: String, region: String, name: String, firstColumn: Int32 = 0
    ) throws -> LayerVersion {
        try LayerVersion(
            accountId: accountId, region: region, name: name, version: Int(statement.integer(firstColumn)),
            policyRevisionId: statement.text(firstColumn + 1) ?? "",
            storageDocument: JSONValue.parse(statement.blob(firstColumn + 2)))
    }

    private static func readPolicy(_ connection: SQLiteConnection, key: [SQLiteValue]) throws -> LayerVersionPolicy? {
        let revision = try connection.withStatement(
            "SELECT policy_revision FROM layer_versions "
                + "WHERE account_id = ? AND region = ? AND name = ? AND version = ?", key
        ) { statement throws(SQLiteError) in
            try statement.step() ? statement.text(0) ?? "" : nil
        }
        guard let revision else { return nil }
        let statements = try connection.withStatement(
            "SELECT statement_id, principal, organization_id FROM layer_version_statements "
                + "WHERE account_id = ? AND region = ? AND name = ? AND version = ? ORDER BY position", key
        ) { statement throws(SQLiteError) in
            var statements: [LayerPermission] = []
            while try statement.step() {
                statements.append(
                    LayerPermission(
                        statementId: statement.text(0) ?? "", principal: statement.text(1) ?? "",
                        organizationId: statement.text(2)))
            }
            return statements
        }
        return LayerVersionPolicy(revisionId: revision, statements: statements)
    }
}
