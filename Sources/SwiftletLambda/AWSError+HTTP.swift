import Foundation
import SwiftletHTTP
import SwiftletModel

extension AWSError {
    /// The error as AWS puts it on the wire: status, `x-amzn-ErrorType`, and a JSON body.
    func response(requestId: String) -> HTTPResponse {
        HTTPResponse.json(
            status, body,
            headers: HTTPHeaders([("x-amzn-ErrorType", type), ("x-amzn-RequestId", requestId)]))
    }
}
