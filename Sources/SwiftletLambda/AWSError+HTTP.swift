import Foundation
import SwiftletHTTP
import SwiftletModel
import SwiftletSystem

extension AWSError {
    /// The error as AWS puts it on the wire: status, `x-amzn-ErrorType`, and a JSON body.
    func response(requestId: String) -> HTTPResponse {
        HTTPResponse.json(
            status, .object(body.map { ($0.0, .string($0.1)) }),
            headers: HTTPHeaders([("x-amzn-ErrorType", type), ("x-amzn-RequestId", requestId)]))
    }
}
