import SwiftletHTTP
import SwiftletModel

extension LambdaService {
    /// `GET /2016-08-19/account-settings`: the account's limits and what it uses.
    func getAccountSettings(_ context: RequestContext) throws(AWSError) -> HTTPResponse {
        let usage = try storage("read the account's usage") { try store.accountUsage(accountId: context.accountId) }
        return .json(
            200,
            [
                "AccountLimit": [
                    "TotalCodeSize": limits.totalCodeSize,
                    "CodeSizeUnzipped": limits.codeSizeUnzipped,
                    "CodeSizeZipped": limits.codeSizeZipped,
                    "ConcurrentExecutions": limits.concurrentExecutions,
                    "UnreservedConcurrentExecutions": limits.concurrentExecutions,
                ],
                "AccountUsage": [
                    "TotalCodeSize": usage.totalCodeSize,
                    "FunctionCount": usage.functionCount,
                ],
            ])
    }
}
