import Foundation
import SwiftletModel
import SwiftletSystem
import Testing

@Suite("LayerReference")
struct LayerReferenceTests {
    @Test(arguments: ["tools", "a", "my_layer-2", String(repeating: "n", count: 140)])
    func plainNamesParse(name: String) throws {
        let reference = try LayerReference.parseName(name).get()
        #expect(reference == LayerReference(name: name))
    }

    @Test func layerARNParsesWithItsAccountAndRegion() throws {
        let reference = try LayerReference.parseName("arn:aws:lambda:eu-west-1:123456789012:layer:tools").get()
        #expect(reference == LayerReference(name: "tools", accountId: "123456789012", region: "eu-west-1"))
    }

    @Test(arguments: [
        "", "has space", String(repeating: "n", count: 141), "arn:aws:lambda:us-east-1:123:layer:x",
        "arn:aws:lambda:us-east-1:123456789012:function:x", "arn:aws:lambda:us-east-1:123456789012:layer:x:1",
    ])
    func malformedNamesAreValidationErrorsOnLayerName(text: String) {
        guard case .failure(let error) = LayerReference.parseName(text) else {
            Issue.record("\(text) parsed")
            return
        }
        #expect(error.type == "ValidationException")
        #expect(error.message.contains("at 'layerName' failed to satisfy constraint"))
    }

    @Test func versionARNParsesItsVersion() throws {
        let reference = try LayerReference.parseVersionArn("arn:aws:lambda:us-east-1:123456789012:layer:tools:12")
            .get()
        #expect(reference.version == 12 && reference.name == "tools" && reference.accountId == "123456789012")
        #expect(!reference.isAWSManaged)
    }

    @Test func awsManagedLayerARNIsWellFormed() throws {
        let reference = try LayerReference.parseVersionArn("arn:aws:lambda:::awslayer:AWSLambda-Python").get()
        #expect(reference.isAWSManaged && reference.version == nil)
    }

    @Test(arguments: [
        "arn:aws:lambda:us-east-1:123456789012:layer:tools", "arn:aws:lambda:us-east-1:123456789012:layer:tools:x",
        "tools:1", "arn:aws:lambda:us-east-1:12345:layer:tools:1", "arn:aws:lambda:useast1:123456789012:layer:t:1",
    ])
    func malformedVersionARNsQuoteTheModelsPattern(text: String) {
        let violation = LayerReference.versionArnViolation(text, field: "arn")
        #expect(violation?.text.contains(LayerReference.versionArnPattern) == true)
    }

    @Test func aListWithOneMalformedARNIsOneViolationOnLayers() {
        let good = "arn:aws:lambda:us-east-1:123456789012:layer:tools:1"
        #expect(LayerReference.listViolations([good]).isEmpty)
        let violations = LayerReference.listViolations([good, "bad"])
        #expect(violations.count == 1)
        #expect(violations.first?.text.hasPrefix("Value '[\(good), bad]' at 'layers'") == true)
    }
}

@Suite("LayerVersionSettings")
struct LayerVersionSettingsTests {
    @Test func listsAtTheirLimitsAreAccepted() {
        let settings = LayerVersionSettings(
            description: String(repeating: "d", count: 256), licenseInfo: String(repeating: "l", count: 512),
            compatibleRuntimes: Array(repeating: "python3.12", count: 15), compatibleArchitectures: ["x86_64", "arm64"])
        #expect(settings.violations(limits: Limits()).isEmpty)
    }

    @Test func everyViolationIsReportedTogether() {
        let settings = LayerVersionSettings(
            description: String(repeating: "d", count: 257), licenseInfo: String(repeating: "l", count: 513),
            compatibleRuntimes: Array(repeating: "python3.12", count: 16), compatibleArchitectures: ["sparc"])
        let fields = settings.violations(limits: Limits()).map(\.text)
        #expect(fields.count == 4)
        #expect(fields[0].contains("at 'description'"))
        #expect(fields[1].contains("at 'licenseInfo'"))
        #expect(fields[2].contains("at 'compatibleRuntimes'") && fields[2].contains("less than or equal to 15"))
        #expect(fields[3].contains("at 'compatibleArchitectures'") && fields[3].contains("enum value set"))
    }

    @Test func deprecatedRuntimesAreStillInTheLayerEnumButUnknownOnesAreNot() {
        #expect(LayerVersionSettings(compatibleRuntimes: ["python2.7"]).violations(limits: Limits()).isEmpty)
        #expect(LayerVersionSettings(compatibleRuntimes: ["python9"]).violations(limits: Limits()).count == 1)
    }

    @Test func filterMatchesOnlyVersionsListingTheValue() {
        let version = LayerVersion(
            accountId: "123456789012", region: "us-east-1", name: "t", compatibleRuntimes: ["python3.12"],
            code: CodeDescriptor(sha256Hex: "", sha256Base64: "", size: 0, unpackedSize: 0))
        #expect(LayerFilter().matches(version))
        #expect(LayerFilter(runtime: "python3.12").matches(version))
        #expect(!LayerFilter(runtime: "python3.11").matches(version))
        #expect(!LayerFilter(architecture: "x86_64").matches(version))
    }
}

@Suite("LayerPermission")
struct LayerPermissionTests {
    @Test func wellFormedRequestHasNoViolations() {
        for principal in ["*", "210987654321", "arn:aws:iam::210987654321:root"] {
            #expect(
                LayerPermission.violations(
                    statementId: "s1", action: "lambda:GetLayerVersion", principal: principal,
                    organizationId: "o-abcdefghij"
                ).isEmpty)
        }
    }

    @Test func missingAndMalformedFieldsAreReportedTogether() {
        let missing = LayerPermission.violations(statementId: nil, action: nil, principal: nil, organizationId: nil)
        #expect(missing.map(\.text).allSatisfy { $0.contains("Member must not be null") })
        #expect(missing.count == 3)
        let malformed = LayerPermission.violations(
            statementId: "no spaces", action: "lambda:InvokeFunction", principal: "root",
            organizationId: "o-short")
        #expect(malformed.map(\.text).filter { $0.contains("regular expression pattern") }.count == 4)
    }

    @Test func grantsFollowThePrincipal() {
        #expect(LayerPermission(statementId: "a", principal: "*").grants(accountId: "210987654321"))
        #expect(LayerPermission(statementId: "a", principal: "210987654321").grants(accountId: "210987654321"))
        #expect(
            LayerPermission(statementId: "a", principal: "arn:aws:iam::210987654321:root")
                .grants(accountId: "210987654321"))
        #expect(!LayerPermission(statementId: "a", principal: "111122223333").grants(accountId: "210987654321"))
        #expect(
            !LayerPermission(statementId: "a", principal: "*", organizationId: "o-abcdefghij")
                .grants(accountId: "210987654321"))
    }

    @Test func statementAndPolicyDocumentsAreWrittenAsAWSWritesThem() {
        let resource = "arn:aws:lambda:us-east-1:123456789012:layer:t:1"
        let account = LayerPermission(statementId: "a", principal: "210987654321")
        let everyone = LayerPermission(statementId: "b", principal: "*", organizationId: "o-abcdefghij")
        let policy = LayerVersionPolicy(revisionId: "r", statements: [account, everyone])

        let text = String(decoding: policy.document(resource: resource).serialized(), as: UTF8.self)

        #expect(
            text == #"{"Version":"2012-10-17","Id":"default","Statement":["#
                + #"{"Sid":"a","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"#
                + #""Action":"lambda:GetLayerVersion","Resource":"\#(resource)"},"#
                + #"{"Sid":"b","Effect":"Allow","Principal":"*","Action":"lambda:GetLayerVersion","#
                + #""Resource":"\#(resource)","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}}}]}"#)
        #expect(policy.grants(accountId: "210987654321"))
    }
}

@Suite("Layer storage documents")
struct LayerStorageTests {
    static let code = CodeDescriptor(
        sha256Hex: String(repeating: "ab", count: 32), sha256Base64: "q6s=", size: 12, unpackedSize: 34)

    @Test func layerVersionRoundTrips() throws {
        let version = LayerVersion(
            accountId: "123456789012", region: "us-east-1", name: "t", version: 3, description: "d",
            licenseInfo: "MIT", compatibleRuntimes: ["python3.12"], compatibleArchitectures: ["arm64"], code: Self.code,
            created: Date(timeIntervalSince1970: 1_704_067_200.25), policyRevisionId: "r")
        let read = try LayerVersion(
            accountId: "123456789012", region: "us-east-1", name: "t", version: 3, policyRevisionId: "r",
            storageDocument: version.storageDocument())
        #expect(read == version)
    }

    @Test func configurationKeepsItsLayersAndOlderDocumentsHaveNone() throws {
        var configuration = FunctionConfiguration(
            name: "f", runtime: "python3.12", role: "arn:aws:iam::123456789012:role/r", handler: "app.handler",
            code: Self.code, lastModified: Date(timeIntervalSince1970: 1_704_067_200))
        let older = configuration.storageDocument()
        #expect(older["layers"] == nil)
        #expect(try FunctionConfiguration(storageDocument: older).layers.isEmpty)

        configuration.layers = [
            FunctionLayer(
                arn: "arn:aws:lambda:us-east-1:123456789012:layer:t:1", codeSize: 12, sha256Hex: Self.code.sha256Hex,
                unpackedSize: 34)
        ]
        #expect(try FunctionConfiguration(storageDocument: configuration.storageDocument()) == configuration)
    }
}
