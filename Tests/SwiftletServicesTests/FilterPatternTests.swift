import SwiftletModel
import Testing

@testable import SwiftletServices

@Suite("FilterPattern")
struct FilterPatternTests {
    private func matches(_ pattern: String, _ message: String) throws -> Bool {
        try FilterPattern(pattern).matches(message)
    }

    @Test func emptyAndBlankPatternsMatchEverything() throws {
        #expect(try FilterPattern("").matchesEverything)
        #expect(try FilterPattern("   ").matchesEverything)
        #expect(try matches("", "anything"))
    }

    @Test func termsAreANDed() throws {
        #expect(try matches("ERROR timeout", "ERROR: request timeout after 3s"))
        #expect(try !matches("ERROR timeout", "ERROR: disk full"))
        #expect(try !matches("ERROR timeout", "timeout warning"))
    }

    @Test func termsAreCaseSensitiveSubstrings() throws {
        #expect(try matches("ERROR", "[ERROR] x"))
        #expect(try !matches("ERROR", "error: x"))
        #expect(try matches("Time", "RequestTimeout"))
    }

    @Test func quotedPhraseMatchesWithItsSpaces() throws {
        #expect(try matches(#""disk full""#, "ERROR disk full on /tmp"))
        #expect(try !matches(#""disk full""#, "full disk"))
        #expect(try FilterPattern(#"  "a b"   c "#).required == ["a b", "c"])
    }

    @Test func quotedPhraseKeepsEscapedQuotesAndBackslashes() throws {
        let pattern = try FilterPattern(#""say \"hi\" \\ now""#)

        #expect(pattern.required == [#"say "hi" \ now"#])
    }

    @Test func questionMarkTermsAreORed() throws {
        #expect(try matches("?ERROR ?WARN", "WARN low memory"))
        #expect(try matches("?ERROR ?WARN", "ERROR crash"))
        #expect(try !matches("?ERROR ?WARN", "INFO fine"))
        #expect(try matches(#"?"out of memory" ?Killed"#, "Runtime exited: out of memory"))
    }

    @Test func requiredTermsCombineWithOptionalOnes() throws {
        let pattern = try FilterPattern("REPORT ?Init ?Timeout")

        #expect(pattern.required == ["REPORT"])
        #expect(pattern.anyOf == ["Init", "Timeout"])
        #expect(pattern.matches("REPORT RequestId: 1 Init Duration: 3 ms"))
        #expect(!pattern.matches("REPORT RequestId: 1 Duration: 3 ms"))
        #expect(!pattern.matches("START Init"))
    }

    @Test func minusTermsExclude() throws {
        #expect(try matches("ERROR -retry", "ERROR fatal"))
        #expect(try !matches("ERROR -retry", "ERROR will retry"))
        #expect(try matches(#"-"health check""#, "GET /"))
        #expect(try !matches(#"-"health check""#, "health check ok"))
    }

    @Test func jsonSpaceDelimitedAndRegexPatternsAreRefusedClearly() {
        for text in [#"{ $.level = "error" }"#, "[ip, user, status=500]", "%ERROR[0-9]+%"] {
            #expect {
                try FilterPattern(text)
            } throws: { error in
                (error as? AWSError)?.type == "InvalidParameterException"
                    && (error as? AWSError)?.message.contains("not supported") == true
            }
        }
    }

    @Test func malformedQuotesAndBareMarkersAreRefused() {
        for text in [#""unclosed"#, #"a"b"#, #""a"b"#, "? x", "ERROR -"] {
            #expect(throws: AWSError.self) { try FilterPattern(text) }
        }
    }
}
