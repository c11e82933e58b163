import Foundation
import SwiftletModel

/// Creates a fresh folder under the system's temporary directory, runs `body` with its path, and removes it.
func withTemporaryDirectory<Result>(_ body: (String) throws -> Result) throws -> Result {
    let path = NSTemporaryDirectory() + "swiftlet-store-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// A function record with made-up code, for storing.
func record(
    _ name: String, account: String = "123456789012", region: String = "us-east-1", digest: String? = nil,
    codeSize: Int64 = 100, tags: [String: String] = [:]
) -> FunctionRecord {
    let hex = digest ?? String(repeating: "0", count: 64)
    let code = CodeDescriptor(sha256Hex: hex, sha256Base64: "AA==", size: codeSize, unpackedSize: codeSize * 3)
    let configuration = FunctionConfiguration(
        name: name, runtime: "python3.12", role: "arn:aws:iam::123456789012:role/r", handler: "app.handler",
        code: code, lastModified: Date(timeIntervalSince1970: 1_704_067_200.25))
    return FunctionRecord(accountId: account, region: region, configuration: configuration, tags: tags)
}

/// A 64-digit hexadecimal digest made of one repeated digit.
func digest(_ digit: Character) -> String {
    String(repeating: digit, count: 64)
}
