import Foundation
import SwiftletModel
import SwiftletSystem

extension SQLiteStore {
    public func putEventInvokeConfig(_ config: EventInvokeConfig) throws {
        let document = JSONValue.members([
            ("MaximumRetryAttempts", config.maximumRetryAttempts.map { .integer(Int64($0)) }),
            ("MaximumEventAgeInSeconds", config.maximumEventAgeInSeconds.map { .integer(Int64($0)) }),
            ("OnSuccess", config.onSuccess.map(JSONValue.string)),
            ("OnFailure", config.onFailure.map(JSONValue.string)),
            ("LastModifiedMs", .integer(Int64((config.lastModified.timeIntervalSince1970 * 1000).rounded()))),
        ])
        try pool.withConnection { connection in
            try connection.run(
                "INSERT OR REPLACE INTO event_invoke_configs (account_id, region, function_name, qualifier, document) "
                    + "VALUES (?, ?, ?, ?, ?)",
                [
                    .text(config.accountId), .text(config.region), .text(config.functionName),
                    .text(config.qualifier), .blob(Data(document.serialized())),
                ])
        }
    }

    public func eventInvokeConfigs(
        accountId: String, region: String, functionName: String
    ) throws -> [EventInvokeConfig] {
        try pool.withConnection { connection in
            try connection.withStatement(
                "SELECT qualifier, document FROM event_invoke_configs WHERE account_id = ? AND region = ? "
                    + "AND function_name = ? ORDER BY qualifier",
                [.text(accountId), .text(region), .text(functionName)]
            ) { statement throws(SQLiteError) in
                var configs: [EventInvokeConfig] = []
                while try statement.step() {
                    guard case .object(let members) = try? JSONValue.parse(statement.blob(1)) else { continue }
                    let fields = Dictionary(members, uniquingKeysWith: { first, _ in first })
                    configs.append(
                        EventInvokeConfig(
                            accountId: accountId, region: region, functionName: functionName,
                            qualifier: statement.text(0) ?? "",
                            maximumRetryAttempts: fields["MaximumRetryAttempts"]?.intValue,
                            maximumEventAgeInSeconds: fields["MaximumEventAgeInSeconds"]?.intValue,
                            onSuccess: fields["OnSuccess"]?.stringValue, onFailure: fields["OnFailure"]?.stringValue,
                            lastModified: Date(
                                timeIntervalSince1970: Double(fields["LastModifiedMs"]?.intValue ?? 0) / 1000)))
                }
                return configs
            }
        }
    }

    public func deleteEventInvokeConfig(
        accountId: String, region: String, functionName: String, qualifier: String
    ) throws -> EventInvokeConfig? {
        let existing = try eventInvokeConfigs(accountId: accountId, region: region, functionName: functionName)
            .first { $0.qualifier == qualifier }
        guard existing != nil else { return nil }
        try pool.withConnection { connection in
            try connection.run(
                "DELETE FROM event_invoke_configs WHERE account_id = ? AND region = ? AND function_name = ? "
                    + "AND qualifier = ?", [.text(accountId), .text(region), .text(functionName), .text(qualifier)])
        }
        return existing
    }
}
