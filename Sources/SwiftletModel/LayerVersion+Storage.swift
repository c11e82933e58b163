import Foundation
import SwiftletSystem

/// The document a store keeps for a layer version, written by hand like a function's; unknown members are ignored
/// and optional ones may be missing, so documents written by older nodes still load.
extension LayerVersion {
    /// The stored document, which never changes once published. The key (account, region, name, version) and the
    /// policy's revision live in the row, not here.
    public func storageDocument() -> JSONValue {
        .members([
            ("description", .string(description)),
            ("licenseInfo", licenseInfo.map(JSONValue.string)),
            ("compatibleRuntimes", .array(compatibleRuntimes.map(JSONValue.string))),
            ("compatibleArchitectures", .array(compatibleArchitectures.map(JSONValue.string))),
            (
                "code",
                .object([
                    ("sha256Hex", .string(code.sha256Hex)), ("sha256Base64", .string(code.sha256Base64)),
                    ("size", .integer(code.size)), ("unpackedSize", .integer(code.unpackedSize)),
                ])
            ),
            ("createdMs", .integer(Int64((created.timeIntervalSince1970 * 1000).rounded()))),
        ])
    }

    /// Reads a stored document for the version with this key and policy revision.
    public init(
        accountId: String, region: String, name: String, version: Int, policyRevisionId: String,
        storageDocument document: JSONValue
    ) throws(FunctionConfiguration.StorageError) {
        typealias StorageError = FunctionConfiguration.StorageError
        func string(_ key: String, in value: JSONValue = document) throws(StorageError) -> String {
            guard case .string(let text)? = value[key] else { throw StorageError(description: "missing \(key)") }
            return text
        }
        func integer(_ key: String, in value: JSONValue = document) throws(StorageError) -> Int64 {
            guard case .integer(let number)? = value[key] else { throw StorageError(description: "missing \(key)") }
            return number
        }
        func strings(_ key: String) -> [String] {
            guard case .array(let items)? = document[key] else { return [] }
            return items.compactMap(\.stringValue)
        }
        guard let codeDocument = document["code"] else { throw StorageError(description: "missing code") }
        let code = CodeDescriptor(
            sha256Hex: try string("sha256Hex", in: codeDocument),
            sha256Base64: try string("sha256Base64", in: codeDocument),
            size: try integer("size", in: codeDocument), unpackedSize: try integer("unpackedSize", in: codeDocument))
        self.init(
            accountId: accountId, region: region, name: name, version: version,
            description: document["description"]?.stringValue ?? "", licenseInfo: document["licenseInfo"]?.stringValue,
            compatibleRuntimes: strings("compatibleRuntimes"),
            compatibleArchitectures: strings("compatibleArchitectures"),
            code: code, created: Date(timeIntervalSince1970: Double(try integer("createdMs")) / 1000),
            policyRevisionId: policyRevisionId)
    }
}
