import Foundation
import SwiftletSystem
import Testing

@Suite("Digest")
struct DigestTests {
    @Test func sha256OfAbcMatchesTheFIPSExample() {
        #expect(
            Digest.sha256(Array("abc".utf8)).hexString
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sha256OfNothingMatchesTheKnownValue() {
        #expect(
            Digest.sha256(Data()).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func sha256AcceptsDataAndByteArraysAlike() {
        let text = "The quick brown fox jumps over the lazy dog"
        #expect(Digest.sha256(Data(text.utf8)) == Digest.sha256(Array(text.utf8)))
    }

    @Test func hmacMatchesRFC4231TestCase1() {
        let key = [UInt8](repeating: 0x0b, count: 20)
        #expect(
            Digest.hmacSHA256(key: key, Array("Hi There".utf8)).hexString
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    }

    @Test func hmacMatchesRFC4231TestCase2() {
        #expect(
            Digest.hmacSHA256(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8)).hexString
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func hmacWithKeyLongerThanABlockMatchesRFC4231TestCase6() {
        let key = [UInt8](repeating: 0xaa, count: 131)
        let message = Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)
        #expect(
            Digest.hmacSHA256(key: key, message).hexString
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func hexStringIsLowercaseWithTwoDigitsPerByte() {
        #expect([UInt8]([0x00, 0x0f, 0xa0, 0xff]).hexString == "000fa0ff")
        #expect([UInt8]().hexString == "")
    }

    @Test func randomBytesHaveTheRequestedCountAndDiffer() {
        let first = Digest.randomBytes(32)
        let second = Digest.randomBytes(32)
        #expect(first.count == 32)
        #expect(first != second)
        #expect(Digest.randomBytes(0).isEmpty)
    }
}
