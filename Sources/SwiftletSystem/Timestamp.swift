import Foundation

/// The timestamp formats AWS puts on the wire.
public enum Timestamp {
    /// Lambda's `LastModified` format: `2024-01-01T00:00:00.000+0000`.
    public static func lambda(_ date: Date) -> String {
        let (parts, millis) = utcParts(date)
        var text = dateAndTime(parts, separator: "T")
        text += "." + padded(millis, 3) + "+0000"
        return text
    }

    /// ISO 8601 with milliseconds in UTC: `2024-01-01T00:00:00.000Z`.
    public static func iso8601(_ date: Date) -> String {
        let (parts, millis) = utcParts(date)
        return dateAndTime(parts, separator: "T") + "." + padded(millis, 3) + "Z"
    }

    /// `YYYY-MM-DD` then the separator then `hh:mm:ss`. Built by hand: `String(format:)` is slow on Linux.
    private static func dateAndTime(_ parts: tm, separator: String) -> String {
        padded(parts.tm_year + 1900, 4) + "-" + padded(parts.tm_mon + 1, 2) + "-" + padded(parts.tm_mday, 2) + separator
            + padded(parts.tm_hour, 2) + ":" + padded(parts.tm_min, 2) + ":" + padded(parts.tm_sec, 2)
    }

    private static func padded(_ value: Int32, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// SigV4's `X-Amz-Date` format: `20240101T000000Z`.
    public static func amzDate(_ date: Date) -> String {
        let (parts, _) = utcParts(date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ",
            parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    /// Parses Lambda's `LastModified` format back into a date.
    public static func parseLambda(_ text: String) -> Date? {
        let scanner = Array(text.utf8)
        guard scanner.count == 28 else { return nil }
        func number(_ from: Int, _ length: Int) -> Int32? {
            var value: Int32 = 0
            for byte in scanner[from..<(from + length)] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int32(byte - 48)
            }
            return value
        }
        let separators: [(Int, UInt8)] = [
            (4, 0x2d), (7, 0x2d), (10, 0x54), (13, 0x3a), (16, 0x3a), (19, 0x2e), (23, 0x2b),
        ]
        guard separators.allSatisfy({ scanner[$0.0] == $0.1 }), scanner[24...] == [0x30, 0x30, 0x30, 0x30][...] else {
            return nil
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
            let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
            let millis = number(20, 3), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds) + Double(millis) / 1000)
    }

    private static func utcParts(_ date: Date) -> (tm, Int32) {
        // Rounded to the nearest millisecond first: a Double just below a whole millisecond must not lose it.
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(totalMillis.quotientAndRemainder(dividingBy: 1000).quotient)
        var millis = Int32(totalMillis - Int64(seconds) * 1000)
        if millis < 0 {
            seconds -= 1
            millis += 1000
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return (parts, millis)
    }
}
