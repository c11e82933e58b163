import SwiftletModel
import SwiftletSystem

/// The rules every SQS batch request shares, and the shape of its answer.
enum SQSBatch {
    /// The entries of a batch: 1 to 10 objects with distinct, well-formed `Id`s.
    /// - Parameter entryShape: the entry's shape name, which AWS quotes in `EmptyBatchRequest`.
    /// - Throws: `EmptyBatchRequest`, `TooManyEntriesInBatchRequest`, `InvalidBatchEntryId`,
    ///   `BatchEntryIdsNotDistinct`, `MissingParameter`.
    static func entries(_ body: SQSRequestBody, entryShape: String) throws(AWSError) -> [(id: String, SQSRequestBody)] {
        let entries = try body.objectList("Entries") ?? []
        guard !entries.isEmpty else { throw .emptyBatchRequest(entryShape) }
        guard entries.count <= SQSWire.maxBatchEntries else { throw .tooManyEntriesInBatchRequest(entries.count) }
        var seen = Set<String>()
        var result: [(id: String, SQSRequestBody)] = []
        for entry in entries {
            let id = try entry.required("Id")
            let allowed = id.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII
                    && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                        || scalar == "-" || scalar == "_")
            }
            guard allowed, (1...SQSWire.maxNameLength).contains(id.count) else { throw .invalidBatchEntryId }
            guard seen.insert(id).inserted else { throw .batchEntryIdsNotDistinct(id) }
            result.append((id, entry))
        }
        return result
    }

    /// `{"Id", "SenderFault", "Code", "Message"}` of a failed entry.
    static func failure(_ id: String, _ error: AWSError) -> JSONValue {
        .object([
            ("Id", .string(id)), ("SenderFault", .bool(error.origin == "User")),
            ("Code", .string(error.queryErrorCode ?? error.type)), ("Message", .string(error.message)),
        ])
    }

    /// `{"Successful", "Failed"}`.
    static func answer(successful: [JSONValue], failed: [JSONValue]) -> JSONValue {
        .object([("Successful", .array(successful)), ("Failed", .array(failed))])
    }
}
