import Foundation
import SwiftletModel
import Testing

@Suite("FunctionConfiguration")
struct FunctionConfigurationTests {
    static let code = CodeDescriptor(
        sha256Hex: String(repeating: "ab", count: 32), sha256Base64: "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=",
        size: 1234, unpackedSize: 5678)

    private func configuration(name: String = "resize") -> FunctionConfiguration {
        FunctionConfiguration(
            name: name, runtime: "python3.12", role: "arn:aws:iam::123456789012:role/r", handler: "app.handler",
            code: Self.code)
    }

    @Test func newConfigurationHasLambdaDefaults() {
        let configuration = configuration()
        #expect(configuration.timeout == 3)
        #expect(configuration.memorySize == 128)
        #expect(configuration.ephemeralStorage == 512)
        #expect(configuration.architectures == ["x86_64"])
        #expect(configuration.version == "$LATEST")
        #expect(configuration.state == .active)
        #expect(configuration.lastUpdateStatus == .successful)
        #expect(configuration.logGroup == "/aws/lambda/resize")
        #expect(configuration.logFormat == "Text")
        #expect(configuration.tracingMode == "PassThrough")
        #expect(configuration.environment == nil)
    }

    @Test func revisionIdIsALowercaseUUID() throws {
        let revision = configuration().revisionId
        #expect(UUID(uuidString: revision) != nil)
        #expect(revision == revision.lowercased())
    }

    @Test func touchChangesRevisionAndModificationTime() {
        var configuration = configuration()
        let before = configuration.revisionId
        let later = Date(timeIntervalSince1970: 2_000_000_000)
        configuration.touch(at: later)
        #expect(configuration.revisionId != before)
        #expect(configuration.lastModified == later)
    }

    @Test func recordARNIsUnqualified() {
        let record = FunctionRecord(accountId: "123456789012", region: "eu-west-1", configuration: configuration())
        #expect(record.arn == "arn:aws:lambda:eu-west-1:123456789012:function:resize")
        #expect(record.tags.isEmpty)
    }
}

@Suite("FunctionConfiguration storage document")
struct FunctionConfigurationStorageTests {
    @Test func theDeadLetterTargetIsStoredAndReadBack() throws {
        let code = CodeDescriptor(
            sha256Hex: String(repeating: "a", count: 64), sha256Base64: "AA==", size: 1, unpackedSize: 1)
        var configuration = FunctionConfiguration(
            name: "f", runtime: "python3.12", role: "arn:aws:iam::123456789012:role/r", handler: "app.handler",
            code: code)
        configuration.deadLetterTarget = "arn:aws:sqs:us-east-1:123456789012:dead"

        let read = try FunctionConfiguration(storageDocument: configuration.storageDocument())
        configuration.deadLetterTarget = nil
        let cleared = try FunctionConfiguration(storageDocument: configuration.storageDocument())

        #expect(read.deadLetterTarget == "arn:aws:sqs:us-east-1:123456789012:dead")
        #expect(cleared.deadLetterTarget == nil)
    }
}
