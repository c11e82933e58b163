import Foundation
import SwiftletSystem

/// AWS Signature Version 4: the canonical request, the string to sign and the signature, shared by the CLI that
/// signs and the node that will verify.
public enum SigV4 {
    /// Credentials that sign a request.
    public struct Credentials: Sendable, Equatable {
        public var accessKeyId: String
        public var secretAccessKey: String
        public var sessionToken: String?

        public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyId = accessKeyId
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
    }

    /// Percent-encodes everything but the unreserved characters `A-Z a-z 0-9 - _ . ~`, as SigV4 requires.
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            let isUnreserved =
                (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2d || byte == 0x5f || byte == 0x2e || byte == 0x7e
            if isUnreserved || (keepSlash && byte == 0x2f) {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// The request target for `path` (segments not yet encoded) and `query`, encoded once as sent on the wire.
    public static func target(path: String, query: [(String, String)]) -> String {
        let encodedPath = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { encode(String($0)) }.joined(separator: "/")
        guard !query.isEmpty else { return encodedPath }
        return encodedPath + "?" + query.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// Signs a request, returning the headers to add: `Authorization`, `X-Amz-Date`, `X-Amz-Content-Sha256` and,
    /// with temporary credentials, `X-Amz-Security-Token`.
    /// - Parameters:
    ///   - encodedPath: the path as sent, each segment percent-encoded once.
    ///   - headers: headers already on the request that should be signed (for example `Content-Type`).
    public static func sign(
        method: String, encodedPath: String, query: [(String, String)], headers: [(String, String)], body: Data,
        host: String, region: String, service: String, credentials: Credentials, date: Date = Date()
    ) -> [(String, String)] {
        let amzDate = Timestamp.amzDate(date)
        let day = String(amzDate.prefix(8))
        let payloadHash = Digest.sha256(body).hexString
        var signed: [(String, String)] = headers.map { ($0.0.lowercased(), $0.1) }
        signed.append(("host", host))
        signed.append(("x-amz-date", amzDate))
        signed.append(("x-amz-content-sha256", payloadHash))
        if let token = credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
        signed.sort { $0.0 < $1.0 }

        let canonical = canonicalRequest(
            method: method, encodedPath: encodedPath, query: query, headers: signed, payloadHash: payloadHash)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Digest.sha256(Array(canonical.utf8)).hexString)"
        let key = signingKey(secret: credentials.secretAccessKey, day: day, region: region, service: service)
        let signature = Digest.hmacSHA256(key: key, Array(stringToSign.utf8)).hexString
        let signedNames = signed.map(\.0).joined(separator: ";")

        var result: [(String, String)] = [
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(signedNames), "
                    + "Signature=\(signature)"
            ),
            ("X-Amz-Date", amzDate),
            ("X-Amz-Content-Sha256", payloadHash),
        ]
        if let token = credentials.sessionToken { result.append(("X-Amz-Security-Token", token)) }
        return result
    }

    /// The canonical request. Outside S3, the path is encoded a second time.
    public static func canonicalRequest(
        method: String, encodedPath: String, query: [(String, String)], headers: [(String, String)],
        payloadHash: String
    ) -> String {
        let canonicalPath = encode(encodedPath.isEmpty ? "/" : encodedPath, keepSlash: true)
        let encodedQuery: [(String, String)] = query.map { pair in (encode(pair.0), encode(pair.1)) }
        let sortedQuery = encodedQuery.sorted { left, right in
            left.0 == right.0 ? left.1 < right.1 : left.0 < right.0
        }
        let canonicalQuery = sortedQuery.map { pair in pair.0 + "=" + pair.1 }.joined(separator: "&")
        let canonicalHeaders = headers.map { "\($0.0):\($0.1.trimmingCharacters(in: .whitespaces))\n" }.joined()
        let signedNames = headers.map(\.0).joined(separator: ";")
        return [method, canonicalPath, canonicalQuery, canonicalHeaders, signedNames, payloadHash]
            .joined(separator: "\n")
    }

    /// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request")`
    public static func signingKey(secret: String, day: String, region: String, service: String) -> [UInt8] {
        var key = Digest.hmacSHA256(key: Array("AWS4\(secret)".utf8), Array(day.utf8))
        key = Digest.hmacSHA256(key: key, Array(region.utf8))
        key = Digest.hmacSHA256(key: key, Array(service.utf8))
        return Digest.hmacSHA256(key: key, Array("aws4_request".utf8))
    }
}
