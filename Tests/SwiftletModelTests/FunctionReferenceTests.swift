import SwiftletModel
import Testing

@Suite("FunctionReference")
struct FunctionReferenceTests {
    private func parsed(_ text: String) throws -> FunctionReference {
        try FunctionReference.parse(text).get()
    }

    private func refusal(_ text: String, maxLength: Int = 140) throws -> AWSError {
        guard case .failure(let error) = FunctionReference.parse(text, maxLength: maxLength) else {
            Issue.record("'\(text)' was accepted")
            throw AWSError.service("accepted")
        }
        return error
    }

    @Test func bareNameHasNoAccountRegionOrQualifier() throws {
        #expect(try parsed("my-function_1") == FunctionReference(name: "my-function_1"))
    }

    @Test func nameWithQualifier() throws {
        #expect(try parsed("my-function:prod") == FunctionReference(name: "my-function", qualifier: "prod"))
        #expect(try parsed("my-function:$LATEST") == FunctionReference(name: "my-function", qualifier: "$LATEST"))
    }

    @Test func partialARNNamesTheAccount() throws {
        #expect(
            try parsed("123456789012:function:f") == FunctionReference(name: "f", accountId: "123456789012"))
        #expect(
            try parsed("123456789012:function:f:7")
                == FunctionReference(name: "f", qualifier: "7", accountId: "123456789012"))
    }

    @Test func fullARNWithoutQualifier() throws {
        #expect(
            try parsed("arn:aws:lambda:us-east-1:123456789012:function:f")
                == FunctionReference(name: "f", accountId: "123456789012", region: "us-east-1"))
    }

    @Test func fullARNWithQualifier() throws {
        #expect(
            try parsed("arn:aws:lambda:eu-west-3:123456789012:function:f:$LATEST")
                == FunctionReference(name: "f", qualifier: "$LATEST", accountId: "123456789012", region: "eu-west-3"))
        #expect(try parsed("arn:aws:lambda:eu-west-3:123456789012:function:f:live").qualifier == "live")
    }

    @Test func fullARNInOtherPartitions() throws {
        #expect(try parsed("arn:aws-cn:lambda:cn-north-1:123456789012:function:f").region == "cn-north-1")
        #expect(try parsed("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f").name == "f")
    }

    @Test(arguments: [
        "my function", "f!", "f/g", "f:", "f:a:b", "f:$NEWEST",
        "arn:aws:lambda:us-east-1:123456789012:function:",
        "arn:aws:lambda:us-east-1:12345:function:f",
        "arn:aws:lambda:US-EAST-1:123456789012:function:f",
        "arn:aws:s3:us-east-1:123456789012:function:f",
        "arn:aws:lambda:us-east-1:123456789012:layer:f",
        "12345678901:function:f",
    ])
    func malformedReferenceIsAValidationException(text: String) throws {
        let error = try refusal(text)
        #expect(error.type == "ValidationException")
        #expect(error.status == 400)
        #expect(error.bodyStyle == .messageOnly)
        #expect(error.message.hasPrefix("1 validation error detected: Value '\(text)' at 'functionName'"))
        #expect(error.message.contains("Member must satisfy regular expression pattern: "))
    }

    @Test func emptyNameIsRefusedForItsLength() throws {
        let error = try refusal("")
        #expect(
            error.message
                == "1 validation error detected: Value '' at 'functionName' failed to satisfy constraint: "
                + "Member must have length greater than or equal to 1")
    }

    @Test func patternMessageQuotesAWSPattern() throws {
        let error = try refusal("bad name")
        #expect(
            error.message
                == "1 validation error detected: Value 'bad name' at 'functionName' failed to satisfy constraint: "
                + "Member must satisfy regular expression pattern: " + FunctionReference.namePattern)
    }

    @Test func nameOf140CharactersIsAccepted() throws {
        let name = String(repeating: "a", count: 140)
        #expect(try parsed(name).name == name)
    }

    @Test func nameOf141CharactersIsTooLong() throws {
        let name = String(repeating: "a", count: 141)
        let error = try refusal(name)
        #expect(error.type == "ValidationException")
        #expect(
            error.message
                == "1 validation error detected: Value '\(name)' at 'functionName' failed to satisfy constraint: "
                + "Member must have length less than or equal to 140")
    }

    @Test func tooLongAndMalformedGivesTwoViolations() throws {
        let name = String(repeating: "a", count: 140) + "!"
        let error = try refusal(name)
        #expect(error.message.hasPrefix("2 validation errors detected: Value '\(name)'"))
        #expect(error.message.contains("Member must have length less than or equal to 140; Value '"))
    }

    @Test func lengthLimitFollowsTheOperation() throws {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:" + String(repeating: "f", count: 100)
        #expect(throws: Never.self) { try FunctionReference.parse(arn, maxLength: 256).get() }
        #expect(try refusal(arn, maxLength: 140).message.contains("less than or equal to 140"))
    }

    @Test func violationsNameTheGivenField() throws {
        guard case .failure(let error) = FunctionReference.parse("x y", field: "resource") else {
            Issue.record("accepted")
            return
        }
        #expect(error.message.hasPrefix("1 validation error detected: Value 'x y' at 'resource'"))
    }

    @Test(arguments: ["us-east-1", "us-gov-west-1", "eu-isob-east-1", "us-iso-east-1", "ap-southeast-2", "cn-north-1"])
    func regionMatchingAWSPatternIsValid(region: String) {
        #expect(FunctionReference.isRegion(region))
    }

    @Test(arguments: [
        "US-EAST-1", "useast1", "us-east", "us-east-12", "us-east-a", "u-east-1", "use-east-1", "us--1",
        "us-foo-west-1", "us-isoab-east-1", "us-east-1-x", "",
    ])
    func regionNotMatchingAWSPatternIsInvalid(region: String) {
        #expect(!FunctionReference.isRegion(region))
    }

    @Test func accountIsExactlyTwelveDigits() {
        #expect(FunctionReference.isAccount("123456789012"))
        #expect(!FunctionReference.isAccount("12345678901"))
        #expect(!FunctionReference.isAccount("1234567890123"))
        #expect(!FunctionReference.isAccount("12345678901a"))
    }

    @Test func nameAllowsLettersDigitsHyphenAndUnderscoreOnly() {
        #expect(FunctionReference.isName("Az09-_"))
        #expect(!FunctionReference.isName(""))
        #expect(!FunctionReference.isName("a.b"))
        #expect(!FunctionReference.isName("é"))
        #expect(!FunctionReference.isName("$LATEST"))
    }

    @Test func functionARNIsBuiltWithAndWithoutQualifier() {
        #expect(
            ARN.function(region: "us-east-1", account: "123456789012", name: "f")
                == "arn:aws:lambda:us-east-1:123456789012:function:f")
        #expect(
            ARN.function(region: "us-east-1", account: "123456789012", name: "f", qualifier: "3")
                == "arn:aws:lambda:us-east-1:123456789012:function:f:3")
    }
}
