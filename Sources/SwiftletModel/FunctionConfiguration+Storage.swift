import Foundation
import SwiftletSystem

/// The document a store keeps for a configuration. Written and read by hand rather than through `Codable`, whose
/// Foundation coders cost more than the rest of a read; unknown members are ignored and missing optional ones take
/// their defaults, so documents written by older nodes still load.
extension FunctionConfiguration {
    /// Why a stored document could not be read.
    public struct StorageError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The stored document.
    public func storageDocument() -> JSONValue {
        .members([
            ("name", .string(name)),
            ("runtime", .string(runtime)),
            ("role", .string(role)),
            ("handler", .string(handler)),
            ("description", .string(description)),
            ("timeout", .integer(Int64(timeout))),
            ("memorySize", .integer(Int64(memorySize))),
            ("environment", environment.map(JSONValue.stringMap)),
            ("ephemeralStorage", .integer(Int64(ephemeralStorage))),
            ("architectures", .array(architectures.map(JSONValue.string))),
            (
                "code",
                .object([
                    ("sha256Hex", .string(code.sha256Hex)), ("sha256Base64", .string(code.sha256Base64)),
                    ("size", .integer(code.size)), ("unpackedSize", .integer(code.unpackedSize)),
                ])
            ),
            ("lastModifiedMs", .integer(Int64((lastModified.timeIntervalSince1970 * 1000).rounded()))),
            ("revisionId", .string(revisionId)),
            ("state", .string(state.rawValue)),
            ("lastUpdateStatus", .string(lastUpdateStatus.rawValue)),
            ("version", .string(version)),
            ("logGroup", .string(logGroup)),
            ("logFormat", .string(logFormat)),
            ("tracingMode", .string(tracingMode)),
            ("deadLetterTarget", deadLetterTarget.map(JSONValue.string)),
            ("layers", layers.isEmpty ? nil : .array(layers.map(\.storageDocument))),
        ])
    }

    /// Reads a stored document.
    public init(storageDocument document: JSONValue) throws(StorageError) {
        func string(_ key: String, in value: JSONValue = document) throws(StorageError) -> String {
            guard case .string(let text)? = value[key] else { throw StorageError(description: "missing \(key)") }
            return text
        }
        func integer(_ key: String, in value: JSONValue = document) throws(StorageError) -> Int64 {
            guard case .integer(let number)? = value[key] else { throw StorageError(description: "missing \(key)") }
            return number
        }
        guard let codeDocument = document["code"] else { throw StorageError(description: "missing code") }
        let code = CodeDescriptor(
            sha256Hex: try string("sha256Hex", in: codeDocument),
            sha256Base64: try string("sha256Base64", in: codeDocument),
            size: try integer("size", in: codeDocument), unpackedSize: try integer("unpackedSize", in: codeDocument))
        var environment: [String: String]?
        if case .object(let members)? = document["environment"] {
            environment = [:]
            for (key, value) in members { environment?[key] = value.stringValue ?? "" }
        }
        var architectures: [String] = []
        if case .array(let items)? = document["architectures"] { architectures = items.compactMap(\.stringValue) }
        self.init(
            name: try string("name"), runtime: try string("runtime"), role: try string("role"),
            handler: try string("handler"), description: try string("description"),
            timeout: Int(try integer("timeout")), memorySize: Int(try integer("memorySize")), environment: environment,
            ephemeralStorage: Int(try integer("ephemeralStorage")),
            architectures: architectures.isEmpty ? ["x86_64"] : architectures, code: code,
            lastModified: Date(timeIntervalSince1970: Double(try integer("lastModifiedMs")) / 1000),
            revisionId: try string("revisionId"),
            state: FunctionState(rawValue: try string("state")) ?? .active,
            lastUpdateStatus: LastUpdateStatus(rawValue: try string("lastUpdateStatus")) ?? .successful,
            version: try string("version"), logGroup: document["logGroup"]?.stringValue)
        logFormat = document["logFormat"]?.stringValue ?? "Text"
        tracingMode = document["tracingMode"]?.stringValue ?? "PassThrough"
        deadLetterTarget = document["deadLetterTarget"]?.stringValue
        if case .array(let items)? = document["layers"] {
            layers = try items.map { item throws(StorageError) in try FunctionLayer(storageDocument: item) }
        }
    }
}

extension FunctionLayer {
    /// The stored form inside a configuration document.
    var storageDocument: JSONValue {
        .object([
            ("arn", .string(arn)), ("codeSize", .integer(codeSize)), ("sha256Hex", .string(sha256Hex)),
            ("unpackedSize", .integer(unpackedSize)),
        ])
    }

    init(storageDocument document: JSONValue) throws(FunctionConfiguration.StorageError) {
        guard case .string(let arn)? = document["arn"], case .integer(let codeSize)? = document["codeSize"],
            case .string(let sha256Hex)? = document["sha256Hex"],
            case .integer(let unpackedSize)? = document["unpackedSize"]
        else { throw FunctionConfiguration.StorageError(description: "malformed layer") }
        self.init(arn: arn, codeSize: codeSize, sha256Hex: sha256Hex, unpackedSize: unpackedSize)
    }
}
