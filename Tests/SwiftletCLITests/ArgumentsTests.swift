import Testing

@testable import SwiftletCLI

@Suite("Arguments")
struct ArgumentsTests {
    @Test func optionTakesTheNextWordAsItsValue() throws {
        let arguments = try Arguments(["--runtime", "python3.12", "name"], flagNames: [])
        #expect(arguments.value("runtime") == "python3.12")
        #expect(arguments.positional == ["name"])
    }

    @Test func optionWithEqualsCarriesItsValue() throws {
        let arguments = try Arguments(["--env=A=1,B=2", "--empty="], flagNames: [])
        #expect(arguments.value("env") == "A=1,B=2")
        #expect(arguments.value("empty") == "")
    }

    @Test func flagsTakeNoValue() throws {
        let arguments = try Arguments(["--verbose", "path"], flagNames: ["verbose"])
        #expect(arguments.flag("verbose"))
        #expect(!arguments.flag("quiet"))
        #expect(arguments.positional == ["path"])
    }

    @Test func doubleDashEndsOptions() throws {
        let arguments = try Arguments(["--region", "eu-west-1", "--", "--not-an-option", "-x"], flagNames: [])
        #expect(arguments.value("region") == "eu-west-1")
        #expect(arguments.positional == ["--not-an-option", "-x"])
        #expect(arguments.value("not-an-option") == nil)
    }

    @Test func singleDashWordsArePositional() throws {
        let arguments = try Arguments(["-", "-v", "--"], flagNames: [])
        #expect(arguments.positional == ["-", "-v"])
    }

    @Test func positionalWordsKeepTheirOrderAroundOptions() throws {
        let arguments = try Arguments(["first", "--memory", "256", "second"], flagNames: [])
        #expect(arguments.positional == ["first", "second"])
    }

    @Test func optionWithoutAValueIsAUsageError() {
        #expect {
            try Arguments(["name", "--runtime"], flagNames: [])
        } throws: { error in
            guard case .usage(let message) = error as? CLIError else { return false }
            return message == "option --runtime needs a value"
        }
    }

    @Test func laterValueOfARepeatedOptionWins() throws {
        let arguments = try Arguments(["--memory", "128", "--memory=512"], flagNames: [])
        #expect(arguments.value("memory") == "512")
    }

    @Test func unknownOptionIsRejected() throws {
        let arguments = try Arguments(["--runtim", "python3.12"], flagNames: [])
        #expect {
            try arguments.rejectUnknown(["runtime", "handler"])
        } throws: { error in
            guard case .usage(let message) = error as? CLIError else { return false }
            return message == "unknown option --runtim"
        }
    }

    @Test func unknownFlagIsRejected() throws {
        let arguments = try Arguments(["--force"], flagNames: ["force"])
        #expect(throws: CLIError.self) { try arguments.rejectUnknown(["runtime"]) }
    }

    @Test func knownOptionsAndFlagsPass() throws {
        let arguments = try Arguments(["--runtime", "r", "--force"], flagNames: ["force"])
        #expect(throws: Never.self) { try arguments.rejectUnknown(["runtime", "force"]) }
    }

    @Test func integerOptionParsesWholeNumbers() throws {
        let arguments = try Arguments(["--memory", "512", "--timeout", "ten"], flagNames: [])
        #expect(try arguments.integer("memory") == 512)
        #expect(try arguments.integer("absent") == nil)
        #expect {
            try arguments.integer("timeout")
        } throws: { error in
            guard case .usage(let message) = error as? CLIError else { return false }
            return message == "--timeout must be a whole number, not 'ten'"
        }
    }
}

@Suite("CLIError")
struct CLIErrorTests {
    @Test func usageErrorsExitWith2AndPointAtTheHelp() {
        let error = CLIError.usage("deploy needs --runtime")
        #expect(error.exitCode == 2)
        #expect(error.description == "error: deploy needs --runtime\nRun 'swiftlet --help' for usage.")
    }

    @Test func apiAndOtherFailuresExitWith1() {
        let api = CLIError.api(type: "ResourceNotFoundException", status: 404, message: "Function not found: f")
        #expect(api.exitCode == 1)
        #expect(api.description == "error: ResourceNotFoundException (HTTP 404): Function not found: f")
        #expect(CLIError.failure("cannot connect").exitCode == 1)
        #expect(CLIError.failure("cannot connect").description == "error: cannot connect")
    }
}
