import Testing

@testable import SwiftletCLI

@Suite("Table")
struct TableTests {
    @Test func columnsAreAlignedToTheWidestCellWithTwoSpaces() {
        let table = Table(
            header: ["NAME", "RUNTIME", "MEMORY"],
            rows: [["resize-images", "python3.12", "1024"], ["a", "nodejs20.x", "128"]])
        #expect(
            table.render()
                == """
                NAME           RUNTIME     MEMORY
                resize-images  python3.12  1024
                a              nodejs20.x  128
                """)
    }

    @Test func lastColumnIsNeverPadded() {
        let table = Table(header: ["A", "B"], rows: [["x", "longer value"]])
        for line in table.render().split(separator: "\n") {
            #expect(!line.hasSuffix(" "))
        }
    }

    @Test func tableWithoutRowsIsTheHeader() {
        #expect(Table(header: ["NAME", "RUNTIME"]).render() == "NAME  RUNTIME")
    }
}

@Suite("DeployCommand environment")
struct DeployEnvironmentTests {
    @Test func pairsAreSplitOnCommasAndTheFirstEquals() throws {
        #expect(
            try DeployCommand.parseEnvironment("A=1,B=x=y,EMPTY=") == ["A": "1", "B": "x=y", "EMPTY": ""])
    }

    @Test func emptyTextGivesNoVariables() throws {
        #expect(try DeployCommand.parseEnvironment("").isEmpty)
        #expect(try DeployCommand.parseEnvironment(",,").isEmpty)
    }

    @Test func laterPairOverridesAnEarlierOne() throws {
        #expect(try DeployCommand.parseEnvironment("A=1,A=2") == ["A": "2"])
    }

    @Test(arguments: ["A", "=1", "A=1,B", "A=1,=2"])
    func pairWithoutANameIsAUsageError(text: String) {
        #expect {
            try DeployCommand.parseEnvironment(text)
        } throws: { error in
            guard case .usage(let message) = error as? CLIError else { return false }
            return message.hasPrefix("--env takes KEY=VALUE pairs separated by commas")
        }
    }
}
