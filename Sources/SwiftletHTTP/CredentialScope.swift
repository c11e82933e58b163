/// The credential scope of a SigV4-signed request: `AKID/20240101/us-east-1/lambda/aws4_request`.
public struct CredentialScope: Sendable, Equatable {
    public var accessKeyId: String
    public var date: String
    public var region: String
    public var service: String

    /// Reads the scope from an `Authorization: AWS4-HMAC-SHA256 Credential=...` header, or from the
    /// `X-Amz-Credential` query parameter of a presigned URL.
    public static func from(_ request: HTTPRequest) -> CredentialScope? {
        if let header = request.headers["Authorization"], header.hasPrefix("AWS4-HMAC-SHA256") {
            for part in header.dropFirst("AWS4-HMAC-SHA256".count).split(separator: ",") {
                let field = part.drop(while: { $0 == " " || $0 == "\t" })
                if field.hasPrefix("Credential=") {
                    return parse(String(field.dropFirst("Credential=".count)))
                }
            }
            return nil
        }
        if let credential = request.queryValue("X-Amz-Credential") {
            return parse(credential)
        }
        return nil
    }

    /// Parses `AKID/DATE/REGION/SERVICE/aws4_request`.
    public static func parse(_ credential: String) -> CredentialScope? {
        let parts = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[4] == "aws4_request", !parts[0].isEmpty, !parts[2].isEmpty else { return nil }
        return CredentialScope(accessKeyId: parts[0], date: parts[1], region: parts[2], service: parts[3])
    }
}
