import Foundation
import SwiftletModel
import SwiftletSystem

/// Aliases in SQLite: `function_aliases` holds one row per alias, keyed by account, region, function and alias
/// name, with the rest in a JSON document. `deleteFunction` removes a function's aliases in its transaction.
extension SQLiteStore {
    public func insertAlias(_ alias: FunctionAlias) throws {
        do {
            try pool.withConnection { connection in
                try connection.run(
                    "INSERT INTO function_aliases (account_id, region, function_name, name, document) "
                        + "VALUES (?, ?, ?, ?, ?)",
                    Self.aliasKey(alias) + [.blob(Data(alias.storageDocument().serialized()))])
            }
        } catch let error as SQLiteError where error.code == 1555 || error.code == 2067 {
            // SQLITE_CONSTRAINT_PRIMARYKEY or SQLITE_CONSTRAINT_UNIQUE: the alias exists.
            throw StoreError.alreadyExists
        }
    }

    public func alias(accountId: String, region: String, functionName: String, name: String) throws -> FunctionAlias? {
        try pool.withConnection { connection in
            try Self.readAlias(connection, accountId: accountId, region: region, functionName: functionName, name: name)
        }
    }

    public func listAliases(
        accountId: String, region: String, functionName: String, after marker: String?, limit: Int
    ) throws -> [FunctionAlias] {
        try pool.withConnection { connection in
            try connection.withStatement(
                "SELECT name, document FROM function_aliases WHERE account_id = ? AND region = ? "
                    + "AND function_name = ? AND name > ? ORDER BY name LIMIT ?",
                [
                    .text(accountId), .text(region), .text(functionName), .text(marker ?? ""),
                    .integer(Int64(min(limit, Int(Int32.max)))),
                ]
            ) { statement throws(SQLiteError) in
                var aliases: [FunctionAlias] = []
                while try statement.step() {
                    guard let document = try? JSONValue.parse(statement.blob(1)) else { continue }
                    aliases.append(
                        FunctionAlias(
                            accountId: accountId, region: region, functionName: functionName,
                            name: statement.text(0) ?? "", storageDocument: document))
                }
                return aliases
            }
        }
    }

    @discardableResult
    public func updateAlias(
        accountId: String, region: String, functionName: String, name: String,
        _ change: (inout FunctionAlias) throws -> Void
    ) throws -> FunctionAlias {
        try pool.withConnection { connection in
            try connection.transaction {
                guard
                    var alias = try Self.readAlias(
                        connection, accountId: accountId, region: region, functionName: functionName, name: name)
                else { throw StoreError.notFound }
                try change(&alias)
                try connection.run(
                    "UPDATE function_aliases SET document = ? WHERE account_id = ? AND region = ? "
                        + "AND function_name = ? AND name = ?",
                    [.blob(Data(alias.storageDocument().serialized()))] + Self.aliasKey(alias))
                return alias
            }
        }
    }

    public func deleteAlias(
        accountId: String, region: String, functionName: String, name: String
    ) throws -> FunctionAlias? {
        try pool.withConnection { connection in
            try connection.transaction {
                guard
                    let alias = try Self.readAlias(
                        connection, accountId: accountId, region: region, functionName: functionName, name: name)
                else { return nil }
                try connection.run(
                    "DELETE FROM function_aliases WHERE account_id = ? AND region = ? AND function_name = ? "
                        + "AND name = ?", Self.aliasKey(alias))
                try connection.run(
                    "DELETE FROM provisioned_concurrency WHERE account_id = ? AND region = ? AND function_name = ? "
                        + "AND qualifier = ?", Self.aliasKey(alias))
                try connection.run(
                    "DELETE FROM event_invoke_configs WHERE account_id = ? AND region = ? AND function_name = ? "
                        + "AND qualifier = ?", Self.aliasKey(alias))
                return alias
            }
        }
    }

    private static func aliasKey(_ alias: FunctionAlias) -> [SQLiteValue] {
        [.text(alias.accountId), .text(alias.region), .text(alias.functionName), .text(alias.name)]
    }

    private static func readAlias(
        _ connection: SQLiteConnection, accountId: String, region: String, functionName: String, name: String
    ) throws -> FunctionAlias? {
        try connection.withStatement(
            "SELECT document FROM function_aliases WHERE account_id = ? AND region = ? AND function_name = ? "
                + "AND name = ?",
            [.text(accountId), .text(region), .text(functionName), .text(name)]
        ) { statement throws(SQLiteError) in
            guard try statement.step() else { return nil }
            guard let document = try? JSONValue.parse(statement.blob(0)) else {
                throw SQLiteError(code: 11, message: "undecodable alias row", context: "read alias \(name)")
            }
            return FunctionAlias(
                accountId: accountId, region: region, functionName: functionName, name: name,
                storageDocument: document)
        }
    }
}
