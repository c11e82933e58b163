import CCrypto
import Foundation

/// SHA-256, HMAC-SHA-256 and MD5 through OpenSSL's libcrypto.
public enum Digest {
    /// The SHA-256 of `bytes`.
    public static func sha256<Bytes: ContiguousBytes>(_ bytes: Bytes) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { input in
            // SHA256 reads `count` bytes from `input` and writes exactly 32 bytes into `output`.
            _ = CCrypto.SHA256(input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count, &output)
        }
        return output
    }

    /// The MD5 of `bytes`: not for security, only where a wire protocol names it (SQS message digests).
    public static func md5<Bytes: ContiguousBytes>(_ bytes: Bytes) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 16)
        var length: UInt32 = 16
        bytes.withUnsafeBytes { input in
            // EVP_Digest reads `count` bytes from `input` and writes MD5's 16 bytes into `output`.
            _ = EVP_Digest(input.baseAddress, input.count, &output, &length, EVP_md5(), nil)
        }
        return output
    }

    /// The HMAC-SHA-256 of `message` under `key`.
    public static func hmacSHA256<Key: ContiguousBytes, Message: ContiguousBytes>(
        key: Key, _ message: Message
    ) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 32
        key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                // HMAC writes at most EVP_MAX_MD_SIZE bytes; SHA-256 produces exactly 32.
                _ = CCrypto.HMAC(
                    EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count),
                    messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), messageBytes.count,
                    &output, &length)
            }
        }
        return output
    }

    /// Cryptographically random bytes from OpenSSL's generator.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        if RAND_bytes(&output, Int32(count)) != 1 {
            // OpenSSL seeds from getrandom(2); failing here means the kernel has no entropy source at all.
            var generator = SystemRandomNumberGenerator()
            for index in output.indices { output[index] = generator.next() }
        }
        return output
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal, as SigV4 and content-addressed paths use.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var chars: [UInt8] = []
        chars.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            chars.append(digits[Int(byte >> 4)])
            chars.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: chars, as: UTF8.self)
    }
}
