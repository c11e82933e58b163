import Foundation
import SwiftletStore
import SwiftletSystem

/// The MD5 digests SQS returns so that SDKs can check what was stored: of the body, of the message attributes and
/// of the message system attributes.
public enum MessageDigests {
    /// Lowercase hexadecimal MD5 of the body's UTF-8 bytes (`MD5OfMessageBody`, `MD5OfBody`).
    public static func body(_ body: String) -> String {
        Digest.md5(Array(body.utf8)).hexString
    }

    /// MD5 of attributes in AWS's binary encoding (`MD5OfMessageAttributes`, `MD5OfMessageSystemAttributes`), or
    /// nil when there are none.
    ///
    /// Names are sorted by their UTF-8 bytes; each attribute contributes its name, its data type (each as a 4-byte
    /// big-endian length and the UTF-8 bytes), one byte saying how the value travels (1 for string values, 2 for
    /// binary), and the value with its 4-byte length.
    public static func attributes(_ attributes: [String: MessageAttributeValue]) -> String? {
        guard !attributes.isEmpty else { return nil }
        var bytes: [UInt8] = []
        for name in attributes.keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let value = attributes[name]!
            appendLengthPrefixed(Array(name.utf8), to: &bytes)
            appendLengthPrefixed(Array(value.dataType.utf8), to: &bytes)
            if let binary = value.binaryValue, value.dataType.hasPrefix("Binary") {
                bytes.append(2)
                appendLengthPrefixed(Array(binary), to: &bytes)
            } else {
                bytes.append(1)
                appendLengthPrefixed(Array((value.stringValue ?? "").utf8), to: &bytes)
            }
        }
        return Digest.md5(bytes).hexString
    }

    private static func appendLengthPrefixed(_ field: [UInt8], to bytes: inout [UInt8]) {
        let length = UInt32(field.count)
        bytes.append(contentsOf: [
            UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff),
        ])
        bytes.append(contentsOf: field)
    }
}
