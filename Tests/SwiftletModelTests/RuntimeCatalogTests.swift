import SwiftletModel
import Testing

@Suite("RuntimeCatalog")
struct RuntimeCatalogTests {
    @Test(arguments: [
        ("python3.12", RuntimeCatalog.Family.python), ("python3.9", .python), ("nodejs22.x", .nodejs),
        ("nodejs18.x", .nodejs), ("provided.al2023", .custom), ("provided", .custom),
    ])
    func supportedRuntimeHasAFamily(runtime: String, family: RuntimeCatalog.Family) {
        #expect(RuntimeCatalog.family(of: runtime) == family)
        #expect(RuntimeCatalog.rejection(of: runtime) == nil)
    }

    @Test(arguments: ["python2.7", "nodejs16.x", "go1.x", "java8", "cobol85", ""])
    func unsupportedRuntimeHasNoFamilyAndIsRejected(runtime: String) {
        #expect(RuntimeCatalog.family(of: runtime) == nil)
        #expect(RuntimeCatalog.rejection(of: runtime)?.type == "InvalidParameterValueException")
    }

    @Test func noRuntimeIsBothSupportedAndDeprecated() {
        #expect(RuntimeCatalog.deprecated.isDisjoint(with: RuntimeCatalog.supported))
    }

    @Test func unknownRuntimeMessageListsEverySupportedRuntime() {
        let message = RuntimeCatalog.rejection(of: "ruby3.3")?.message ?? ""
        #expect(message.contains("[" + RuntimeCatalog.supported.joined(separator: ", ") + "]"))
    }
}

@Suite("Limits")
struct LimitsTests {
    @Test func defaultsAreLambdasDocumentedQuotas() {
        let limits = Limits()
        #expect(limits.memorySize == 128...10_240)
        #expect(limits.timeout == 1...900)
        #expect(limits.ephemeralStorage == 512...10_240)
        #expect(limits.codeSizeZipped == 50 * 1_048_576)
        #expect(limits.codeSizeUnzipped == 250 * 1_048_576)
        #expect(limits.synchronousPayloadBytes == 6 * 1_048_576)
        #expect(limits.asynchronousPayloadBytes == 256 * 1024)
        #expect(limits.environmentBytes == 4096)
        #expect(limits.tagsPerResource == 50)
        #expect(limits.concurrentExecutions == 1000)
    }

    @Test func controlRequestLimitHoldsTheLargestZipInBase64() {
        let limits = Limits()
        let base64 = (limits.codeSizeZipped + 2) / 3 * 4
        #expect(Int64(limits.controlRequestBytes) > base64)
    }
}
