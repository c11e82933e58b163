/// Who a request speaks for and where: the account and region every operation works in.
public struct RequestContext: Sendable, Equatable {
    /// The account whose resources the request reaches.
    public var accountId: String
    /// The region named by the request's credential scope, or the node's region.
    public var region: String
    /// The access key that signed the request, if it was signed.
    public var accessKeyId: String?
    /// The request id put on the response.
    public var requestId: String

    public init(accountId: String, region: String, accessKeyId: String? = nil, requestId: String) {
        self.accountId = accountId
        self.region = region
        self.accessKeyId = accessKeyId
        self.requestId = requestId
    }
}
