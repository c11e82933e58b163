import SwiftletHTTP
import SwiftletModel
import SwiftletSystem

extension LambdaService {
    /// `GET /2016-08-19/account-settings`: the account's limits and what it uses.
    func getAccountSettings(_ context: RequestContext) throws(AWSError) -> HTTPResponse {
        let usage = try storage("read the account's usage") { try store.accountUsage(accountId: context.accountId) }
        let unreserved = try unreservedConcurrency(context)
        return .json(
            200,
            .object([
                (
                    "AccountLimit",
                    .object([
                        ("TotalCodeSize", .integer(limits.totalCodeSize)),
                        ("CodeSizeUnzipped", .integer(limits.codeSizeUnzipped)),
                        ("CodeSizeZipped", .integer(limits.codeSizeZipped)),
                        ("ConcurrentExecutions", .integer(Int64(limits.concurrentExecutions))),
                        ("UnreservedConcurrentExecutions", .integer(Int64(unreserved))),
                    ])
                ),
                (
                    "AccountUsage",
                    .object([
                        ("TotalCodeSize", .integer(usage.totalCodeSize)),
                        ("FunctionCount", .integer(Int64(usage.functionCount))),
                    ])
                ),
            ]))
    }
}
