import Foundation

/// A receipt handle: which queue and message it names and which receive gave it, in an opaque base64 string.
struct ReceiptHandle: Sendable, Equatable {
    /// The store identity of the queue; a queue created again under the same name has another.
    var queueId: Int64
    /// The store identity of the message.
    var messageId: Int64
    /// The receive count of the receive that gave the handle.
    var receiveCount: Int
    /// Random, so that handles cannot be guessed from one another.
    var nonce: UInt64

    /// The handle as clients see it.
    var encoded: String {
        Data("1:\(queueId):\(messageId):\(receiveCount):\(String(nonce, radix: 16))".utf8).base64EncodedString()
    }

    /// Decodes a handle this node gave; nil for anything else.
    init?(_ text: String) {
        guard text.utf8.count < 1024, let data = Data(base64Encoded: text) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: ":").map(String.init)
        guard parts.count == 5, parts[0] == "1", let queueId = Int64(parts[1]), let messageId = Int64(parts[2]),
            let receiveCount = Int(parts[3]), let nonce = UInt64(parts[4], radix: 16)
        else { return nil }
        self.init(queueId: queueId, messageId: messageId, receiveCount: receiveCount, nonce: nonce)
    }

    init(queueId: Int64, messageId: Int64, receiveCount: Int, nonce: UInt64) {
        self.queueId = queueId
        self.messageId = messageId
        self.receiveCount = receiveCount
        self.nonce = nonce
    }
}
