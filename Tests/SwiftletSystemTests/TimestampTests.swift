import Foundation
import SwiftletSystem
import Testing

@Suite("Timestamp")
struct TimestampTests {
    /// 2024-01-01T00:00:00Z.
    let newYear2024 = Date(timeIntervalSince1970: 1_704_067_200)

    @Test func lambdaFormatHasMillisecondsAndNumericZeroOffset() {
        #expect(Timestamp.lambda(newYear2024) == "2024-01-01T00:00:00.000+0000")
    }

    @Test func lambdaFormatKeepsMillisecondsOfTheDate() {
        #expect(Timestamp.lambda(newYear2024.addingTimeInterval(0.5)) == "2024-01-01T00:00:00.500+0000")
        #expect(Timestamp.lambda(newYear2024.addingTimeInterval(59.25)) == "2024-01-01T00:00:59.250+0000")
    }

    @Test func lambdaFormatOfTheEpoch() {
        #expect(Timestamp.lambda(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000+0000")
    }

    @Test func iso8601EndsWithZ() {
        #expect(Timestamp.iso8601(newYear2024) == "2024-01-01T00:00:00.000Z")
    }

    @Test func amzDateHasNoSeparatorsOrFraction() {
        #expect(Timestamp.amzDate(newYear2024.addingTimeInterval(3_723.5)) == "20240101T010203Z")
    }

    @Test(arguments: [
        "2024-01-01T00:00:00.000+0000",
        "2024-02-29T23:59:59.999+0000",
        "1999-12-31T12:34:56.123+0000",
        "2025-06-30T18:45:12.457+0000",
    ])
    func lambdaTextSurvivesParseAndFormat(text: String) throws {
        let date = try #require(Timestamp.parseLambda(text))
        #expect(Timestamp.lambda(date) == text)
    }

    @Test func millisecondsSurviveParseAndFormatWhenTheDoubleFallsJustBelow() throws {
        // 1_952_237_350.001 is held as 1_952_237_350.000_999_9..., which must still format as .001.
        let text = "2031-07-15T08:09:10.001+0000"
        let date = try #require(Timestamp.parseLambda(text))
        #expect(Timestamp.lambda(date) == text)
    }

    @Test func parsedLambdaTextIsTheRightInstant() throws {
        let date = try #require(Timestamp.parseLambda("2024-01-01T00:00:00.500+0000"))
        #expect(abs(date.timeIntervalSince1970 - 1_704_067_200.5) < 0.000_1)
    }

    @Test(arguments: [
        "",
        "2024-01-01T00:00:00Z",
        "2024-01-01T00:00:00.000Z",
        "2024-01-01T00:00:00.000+00000",
        "2024-0a-01T00:00:00.000+0000",
        "2024-01-01T00:00:00.0x0+0000",
    ])
    func malformedLambdaTextIsRefused(text: String) {
        #expect(Timestamp.parseLambda(text) == nil)
    }
}
