import Foundation
import SwiftletModel
import SwiftletSystem

extension SQLiteStore {
    public func putEventSourceMapping(
        _ mapping: EventSourceMapping, check: ([EventSourceMapping]) throws -> Void
    ) throws {
        let document = JSONValue.members([
            ("Qualifier", mapping.qualifier.map(JSONValue.string)),
            ("BatchSize", .integer(Int64(mapping.batchSize))),
            ("MaximumBatchingWindowInSeconds", .integer(Int64(mapping.maximumBatchingWindowInSeconds))),
            ("Enabled", .bool(mapping.enabled)),
            ("FilterPatterns", .array(mapping.filterPatterns.map(JSONValue.string))),
            ("ReportBatchItemFailures", .bool(mapping.reportsBatchItemFailures)),
            ("MaximumConcurrency", mapping.maximumConcurrency.map { .integer(Int64($0)) }),
            ("LastModifiedMs", .integer(Int64((mapping.lastModified.timeIntervalSince1970 * 1000).rounded()))),
        ])
        try pool.withConnection { connection in
            try connection.transaction {
                try check(try Self.eventSourceMappings(connection).filter { $0.uuid != mapping.uuid })
                try connection.run(
                    "INSERT OR REPLACE INTO event_source_mappings "
                        + "(uuid, account_id, region, function_name, event_source_arn, document) "
                        + "VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        .text(mapping.uuid), .text(mapping.accountId), .text(mapping.region),
                        .text(mapping.functionName), .text(mapping.eventSourceArn),
                        .blob(Data(document.serialized())),
                    ])
            }
        }
    }

    public func eventSourceMappings() throws -> [EventSourceMapping] {
        try pool.withConnection { connection in try Self.eventSourceMappings(connection) }
    }

    public func deleteEventSourceMapping(uuid: String) throws -> EventSourceMapping? {
        try pool.withConnection { connection in
            try connection.transaction {
                let existing = try Self.eventSourceMappings(connection).first { $0.uuid == uuid }
                guard existing != nil else { return nil }
                _ = try connection.run("DELETE FROM event_source_mappings WHERE uuid = ?", [.text(uuid)])
                return existing
            }
        }
    }

    private static func eventSourceMappings(_ connection: SQLiteConnection) throws -> [EventSourceMapping] {
        try connection.withStatement(
            "SELECT uuid, account_id, region, function_name, event_source_arn, document FROM event_source_mappings "
                + "ORDER BY uuid"
        ) { statement throws(SQLiteError) in
            var mappings: [EventSourceMapping] = []
            while try statement.step() {
                guard case .object(let members) = try? JSONValue.parse(statement.blob(5)) else { continue }
                let fields = Dictionary(members, uniquingKeysWith: { first, _ in first })
                var patterns: [String] = []
                if case .array(let items) = fields["FilterPatterns"] { patterns = items.compactMap(\.stringValue) }
                mappings.append(
                    EventSourceMapping(
                        uuid: statement.text(0) ?? "", accountId: statement.text(1) ?? "",
                        region: statement.text(2) ?? "", functionName: statement.text(3) ?? "",
                        qualifier: fields["Qualifier"]?.stringValue, eventSourceArn: statement.text(4) ?? "",
                        batchSize: fields["BatchSize"]?.intValue ?? 10,
                        maximumBatchingWindowInSeconds: fields["MaximumBatchingWindowInSeconds"]?.intValue ?? 0,
                        enabled: fields["Enabled"]?.boolValue ?? false, filterPatterns: patterns,
                        reportsBatchItemFailures: fields["ReportBatchItemFailures"]?.boolValue ?? false,
                        maximumConcurrency: fields["MaximumConcurrency"]?.intValue,
                        lastModified: Date(
                            timeIntervalSince1970: Double(fields["LastModifiedMs"]?.intValue ?? 0) / 1000)))
            }
            return mappings
        }
    }
}
