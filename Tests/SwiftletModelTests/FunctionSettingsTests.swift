import SwiftletModel
import Testing

@Suite("FunctionSettings validation")
struct FunctionSettingsTests {
    let limits = Limits()

    private func settings(_ configure: (inout FunctionSettings) -> Void) -> FunctionSettings {
        var settings = FunctionSettings()
        configure(&settings)
        return settings
    }

    private func violationMessage(_ value: String, at field: String, _ constraint: String) -> String {
        "1 validation error detected: Value '\(value)' at '\(field)' failed to satisfy constraint: \(constraint)"
    }

    @Test func emptySettingsAreValid() {
        #expect(FunctionSettings().validate(limits: limits) == nil)
    }

    @Test func typicalSettingsAreValid() {
        let valid = settings {
            $0.runtime = "python3.12"
            $0.role = "arn:aws:iam::123456789012:role/service-role/lambda-basic"
            $0.handler = "app.handler"
            $0.description = "resizes images"
            $0.timeout = 30
            $0.memorySize = 512
            $0.ephemeralStorage = 1024
            $0.architectures = ["x86_64"]
            $0.environment = ["TABLE_NAME": "images", "LOG_LEVEL": "debug"]
        }
        #expect(valid.validate(limits: limits) == nil)
    }

    @Test(arguments: [128, 129, 10_239, 10_240])
    func memoryInsideTheRangeIsValid(memory: Int) {
        #expect(settings { $0.memorySize = memory }.validate(limits: limits) == nil)
    }

    @Test func memoryBelow128IsRefused() {
        let error = settings { $0.memorySize = 127 }.validate(limits: limits)
        #expect(error?.type == "ValidationException")
        #expect(
            error?.message
                == violationMessage("127", at: "memorySize", "Member must have value greater than or equal to 128"))
    }

    @Test func memoryAbove10240IsRefused() {
        let error = settings { $0.memorySize = 10_241 }.validate(limits: limits)
        #expect(
            error?.message
                == violationMessage("10241", at: "memorySize", "Member must have value less than or equal to 10240"))
    }

    @Test(arguments: [1, 900])
    func timeoutAtTheEdgesIsValid(timeout: Int) {
        #expect(settings { $0.timeout = timeout }.validate(limits: limits) == nil)
    }

    @Test func timeoutOfZeroIsRefused() {
        #expect(
            settings { $0.timeout = 0 }.validate(limits: limits)?.message
                == violationMessage("0", at: "timeout", "Member must have value greater than or equal to 1"))
    }

    @Test func timeoutAbove900IsRefused() {
        #expect(
            settings { $0.timeout = 901 }.validate(limits: limits)?.message
                == violationMessage("901", at: "timeout", "Member must have value less than or equal to 900"))
    }

    @Test(arguments: [512, 10_240])
    func ephemeralStorageAtTheEdgesIsValid(size: Int) {
        #expect(settings { $0.ephemeralStorage = size }.validate(limits: limits) == nil)
    }

    @Test func ephemeralStorageBelow512IsRefused() {
        #expect(
            settings { $0.ephemeralStorage = 511 }.validate(limits: limits)?.message
                == violationMessage(
                    "511", at: "ephemeralStorage.size", "Member must have value greater than or equal to 512"))
    }

    @Test func ephemeralStorageAbove10240IsRefused() {
        #expect(
            settings { $0.ephemeralStorage = 10_241 }.validate(limits: limits)?.message
                == violationMessage(
                    "10241", at: "ephemeralStorage.size", "Member must have value less than or equal to 10240"))
    }

    @Test func rangesFollowTheNodeLimits() {
        var raised = Limits()
        raised.timeout = 1...3_600
        #expect(settings { $0.timeout = 3_600 }.validate(limits: raised) == nil)
        #expect(settings { $0.timeout = 3_601 }.validate(limits: raised) != nil)
    }

    @Test func handlerOf128CharactersIsValid() {
        #expect(settings { $0.handler = String(repeating: "h", count: 128) }.validate(limits: limits) == nil)
    }

    @Test func handlerOf129CharactersIsTooLong() {
        let handler = String(repeating: "h", count: 129)
        #expect(
            settings { $0.handler = handler }.validate(limits: limits)?.message
                == violationMessage(handler, at: "handler", "Member must have length less than or equal to 128"))
    }

    @Test(arguments: ["app handler", " app.handler", "app.handler\n", "tab\there", ""])
    func handlerWithWhitespaceOrEmptyFailsThePattern(handler: String) {
        #expect(
            settings { $0.handler = handler }.validate(limits: limits)?.message
                == violationMessage(handler, at: "handler", "Member must satisfy regular expression pattern: [^\\s]+"))
    }

    @Test(arguments: [
        "arn:aws:iam::123456789012:role/lambda",
        "arn:aws:iam::123456789012:role/service-role/my_role+x=y,z.w@v-u",
        "arn:aws-cn:iam::123456789012:role/r",
        "arn::iam::123456789012:role/r",
        "arn:aws:iam::123456789012:roler",
    ])
    func roleMatchingThePatternIsValid(role: String) {
        #expect(FunctionSettings.isRoleARN(role))
        #expect(settings { $0.role = role }.validate(limits: limits) == nil)
    }

    @Test(arguments: [
        "role/lambda",
        "arn:aws:iam::12345678901:role/r",
        "arn:aws:iam:us-east-1:123456789012:role/r",
        "arn:aws:iam::123456789012:user/r",
        "arn:aws:iam::123456789012:role/",
        "arn:aws:iam::123456789012:role/with space",
        "arn:aws:sts::123456789012:role/r",
        "arn:gcp:iam::123456789012:role/r",
    ])
    func roleNotMatchingThePatternIsRefused(role: String) {
        #expect(!FunctionSettings.isRoleARN(role))
        let error = settings { $0.role = role }.validate(limits: limits)
        #expect(error?.type == "ValidationException")
        #expect(
            error?.message
                == violationMessage(
                    role, at: "role",
                    "Member must satisfy regular expression pattern: "
                        + "arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"))
    }

    @Test func descriptionOf256CharactersIsValidAnd257IsNot() {
        #expect(settings { $0.description = String(repeating: "d", count: 256) }.validate(limits: limits) == nil)
        let error = settings { $0.description = String(repeating: "d", count: 257) }.validate(limits: limits)
        #expect(error?.message.hasSuffix("Member must have length less than or equal to 256") == true)
    }

    @Test func unknownRuntimeIsAnInvalidParameterValue() {
        let error = settings { $0.runtime = "cobol85" }.validate(limits: limits)
        #expect(error?.type == "InvalidParameterValueException")
        #expect(error?.status == 400)
        #expect(
            error?.message.hasPrefix(
                "Value cobol85 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [")
                == true)
        #expect(error?.message.hasSuffix("] or be a valid ARN") == true)
    }

    @Test func deprecatedRuntimeIsRefusedWithItsOwnMessage() {
        let error = settings { $0.runtime = "python2.7" }.validate(limits: limits)
        #expect(error?.type == "InvalidParameterValueException")
        #expect(
            error?.message
                == "The runtime parameter of python2.7 is no longer supported for creating or updating AWS Lambda "
                + "functions. We recommend you use a supported runtime while creating or updating functions.")
    }

    @Test func fieldViolationsComeBeforeTheRuntimeCheck() {
        let error = settings {
            $0.runtime = "cobol85"
            $0.memorySize = 1
        }.validate(limits: limits)
        #expect(error?.type == "ValidationException")
    }

    @Test func violationsAreCountedAndJoinedInAWSOrder() {
        let error = settings {
            $0.memorySize = 127
            $0.timeout = 0
        }.validate(limits: limits)
        #expect(
            error?.message
                == "2 validation errors detected: "
                + "Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1; "
                + "Value '127' at 'memorySize' failed to satisfy constraint: "
                + "Member must have value greater than or equal to 128")
    }

    @Test func everyFieldViolationIsReportedTogether() {
        let error = settings {
            $0.handler = "a b"
            $0.role = "nope"
            $0.timeout = 901
            $0.memorySize = 10_241
            $0.ephemeralStorage = 1
        }.validate(limits: limits)
        #expect(error?.message.hasPrefix("5 validation errors detected: Value 'a b' at 'handler'") == true)
        #expect(error?.message.components(separatedBy: "; ").count == 5)
    }

    @Test func architectureListMustHoldExactlyOne() {
        let error = settings { $0.architectures = ["x86_64", "arm64"] }.validate(limits: limits)
        #expect(
            error?.message
                == "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy "
                + "constraint: Member must have length less than or equal to 1 and greater than or equal to 1")
    }

    @Test func unknownArchitectureIsRefused() {
        let error = settings { $0.architectures = ["mips"] }.validate(limits: limits)
        #expect(error?.type == "ValidationException")
        #expect(error?.message.contains("Value '[mips]' at 'architectures'") == true)
    }

    @Test func architectureOfAnotherHostIsAnInvalidParameterValue() {
        let other = HostArchitecture.lambdaName == "x86_64" ? "arm64" : "x86_64"
        let host = settings { $0.architectures = [HostArchitecture.lambdaName] }.validate(limits: limits)
        let foreign = settings { $0.architectures = [other] }.validate(limits: limits)
        #expect(host == nil)
        #expect(foreign?.type == "InvalidParameterValueException")
        #expect(foreign?.message.hasPrefix("Architecture \(other) is not available on this node") == true)
    }

    @Test func environmentKeysMustMatchThePattern() {
        let error = settings { $0.environment = ["1BAD": "x", "OK_NAME": "y", "A": "z"] }.validate(limits: limits)
        #expect(
            error?.message
                == "1 validation error detected: Value '[1BAD, A]' at 'environment.variables' failed to satisfy "
                + "constraint: Map keys must satisfy constraint: "
                + "[Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]")
    }

    @Test func reservedEnvironmentKeysAreNamedInTheCallersOrder() {
        let error = settings {
            $0.environment = ["AWS_REGION": "x", "MINE": "y", "LAMBDA_TASK_ROOT": "z"]
            $0.environmentOrder = ["LAMBDA_TASK_ROOT", "MINE", "AWS_REGION"]
        }.validate(limits: limits)
        #expect(error?.type == "InvalidParameterValueException")
        #expect(
            error?.message
                == "Lambda was unable to configure your environment variables because the environment variables you "
                + "have provided contains reserved keys that are currently not supported for modification. "
                + "Reserved keys used in this request: LAMBDA_TASK_ROOT, AWS_REGION")
    }

    /// `{"KEY":"…"}` is 10 bytes plus the value.
    private func environment(measuring bytes: Int) -> [String: String] {
        ["KEY": String(repeating: "v", count: bytes - 10)]
    }

    @Test func environmentOfExactly4096BytesIsValid() {
        let variables = environment(measuring: 4096)
        #expect(EnvironmentRules.measure(variables, order: nil).utf8.count == 4096)
        #expect(settings { $0.environment = variables }.validate(limits: limits) == nil)
    }

    @Test func environmentOf4097BytesIsRefusedQuotingTheMeasuredString() {
        let variables = environment(measuring: 4097)
        let measured = "{\"KEY\":\"" + String(repeating: "v", count: 4087) + "\"}"
        let error = settings { $0.environment = variables }.validate(limits: limits)
        #expect(error?.type == "InvalidParameterValueException")
        #expect(
            error?.message
                == "Lambda was unable to configure your environment variables because the environment variables you "
                + "have provided exceeded the 4KB limit. String measured: \(measured)")
    }

    @Test func measuredEnvironmentIsCompactJSONInTheGivenOrder() {
        let variables = ["B_KEY": "2", "A_KEY": "say \"hi\"\n\\"]
        #expect(
            EnvironmentRules.measure(variables, order: ["B_KEY", "A_KEY"])
                == "{\"B_KEY\":\"2\",\"A_KEY\":\"say \\\"hi\\\"\\n\\\\\"}")
        #expect(EnvironmentRules.measure(variables, order: nil).hasPrefix("{\"A_KEY\""))
        #expect(EnvironmentRules.measure([:], order: nil) == "{}")
    }

    @Test func controlCharactersAreMeasuredAsUnicodeEscapes() {
        #expect(EnvironmentRules.measure(["KEY": "\u{1}"], order: nil) == "{\"KEY\":\"\\u0001\"}")
    }

    @Test func variableNamesNeedALetterThenAtLeastOneMoreCharacter() {
        #expect(FunctionSettings.isVariableName("ab"))
        #expect(FunctionSettings.isVariableName("A_1"))
        #expect(!FunctionSettings.isVariableName("A"))
        #expect(!FunctionSettings.isVariableName("_HANDLER"))
        #expect(!FunctionSettings.isVariableName("9LIVES"))
        #expect(!FunctionSettings.isVariableName("WITH-DASH"))
    }
}
