/// Random identifiers in the formats AWS uses.
public enum Identifier {
    /// A random (version 4) UUID in lowercase, as AWS request ids and revision ids look. Drawn from the system
    /// generator (`getrandom`) without opening a device file per call.
    public static func uuid() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        var high = generator.next() as UInt64
        var low = generator.next() as UInt64
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high)
            bytes[index + 8] = UInt8(truncatingIfNeeded: low)
            high >>= 8
            low >>= 8
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(0x2d) }
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
