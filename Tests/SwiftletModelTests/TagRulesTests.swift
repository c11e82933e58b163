import SwiftletModel
import Testing

@Suite("TagRules")
struct TagRulesTests {
    let limits = Limits()

    private func tags(_ count: Int, prefix: String = "key") -> [String: String] {
        Dictionary(uniqueKeysWithValues: (0..<count).map { ("\(prefix)\($0)", "value") })
    }

    @Test func fiftyTagsAreAccepted() {
        #expect(TagRules.validate(adding: tags(50), to: [:], limits: limits) == nil)
    }

    @Test func fiftyOneTagsAreRefused() {
        let error = TagRules.validate(adding: tags(51), to: [:], limits: limits)
        #expect(error?.type == "InvalidParameterValueException")
        #expect(error?.message == "Number of tags exceeds resource tag limit.")
    }

    @Test func existingTagsCountTowardsTheLimit() {
        #expect(TagRules.validate(adding: tags(21, prefix: "new"), to: tags(30), limits: limits) != nil)
        #expect(TagRules.validate(adding: tags(20, prefix: "new"), to: tags(30), limits: limits) == nil)
    }

    @Test func replacingAnExistingTagDoesNotCountTwice() {
        #expect(TagRules.validate(adding: ["key0": "changed"], to: tags(50), limits: limits) == nil)
    }

    @Test(arguments: ["aws:createdBy", "AWS:createdBy", "Aws:x"])
    func keysWithTheAWSPrefixAreReserved(key: String) {
        let error = TagRules.validate(adding: [key: "v"], to: [:], limits: limits)
        #expect(error?.type == "InvalidParameterValueException")
        #expect(error?.message == "Tag keys starting with 'aws:' are reserved for AWS use: \(key)")
    }

    @Test func keyMentioningAWSElsewhereIsAccepted() {
        #expect(TagRules.validate(adding: ["my-aws:key": "v", "aws": "v"], to: [:], limits: limits) == nil)
    }

    @Test func keyLengthMustBeOneTo128() {
        #expect(TagRules.validate(adding: [String(repeating: "k", count: 128): ""], to: [:], limits: limits) == nil)
        #expect(TagRules.validate(adding: [String(repeating: "k", count: 129): ""], to: [:], limits: limits) != nil)
        #expect(
            TagRules.validate(adding: ["": "v"], to: [:], limits: limits)?.message
                == "Tag key '' must be between 1 and 128 characters long.")
    }

    @Test func valueLengthMustBeAtMost256() {
        #expect(TagRules.validate(adding: ["k": String(repeating: "v", count: 256)], to: [:], limits: limits) == nil)
        #expect(
            TagRules.validate(adding: ["k": String(repeating: "v", count: 257)], to: [:], limits: limits)?.message
                == "Tag value for key 'k' must be at most 256 characters long.")
    }

    @Test func tagLimitFollowsTheNodeLimits() {
        var small = Limits()
        small.tagsPerResource = 2
        #expect(TagRules.validate(adding: tags(3), to: [:], limits: small) != nil)
    }
}
