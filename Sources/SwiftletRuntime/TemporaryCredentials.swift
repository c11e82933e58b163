import SwiftletSystem

/// Credentials handed to a function for its execution role, in the shape STS issues them.
struct TemporaryCredentials: Sendable {
    let accessKeyId: String
    let secretAccessKey: String
    let sessionToken: String

    /// Fresh credentials for `role`.
    // Limitation: the node does not verify signatures yet, so these are accepted like any other keys; they carry
    // the role's identity only once identity and access management arrives.
    static func issue(role: String) -> TemporaryCredentials {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var keyId = "ASIA"
        for byte in Digest.randomBytes(16) { keyId.append(alphabet[Int(byte) % alphabet.count]) }
        let secret = String(Digest.randomBytes(40).base64Like)
        let token = Digest.randomBytes(96).base64Like
        return TemporaryCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: token)
    }
}

extension Array where Element == UInt8 {
    fileprivate var base64Like: String {
        let alphabet = [Character]("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var text = ""
        for byte in self { text.append(alphabet[Int(byte) % alphabet.count]) }
        return text
    }
}
