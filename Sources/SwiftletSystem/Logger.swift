import Foundation
import Synchronization

/// A structured logger for operators: one line per event, a level, a label and stable dotted keys.
///
/// Loggers are passed in, never created ad hoc: the node builds one at start and hands children to each
/// subsystem, so tests can capture everything a component says through a ``LogSink``.
public struct Logger: Sendable {
    /// Severity, from the most verbose to the most urgent.
    public enum Level: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
        case trace, debug, info, notice, warning, error, critical

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        public var description: String {
            switch self {
            case .trace: "trace"
            case .debug: "debug"
            case .info: "info"
            case .notice: "notice"
            case .warning: "warning"
            case .error: "error"
            case .critical: "critical"
            }
        }

        /// Parses a level name as given on the command line (`debug`, `info`, ...).
        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.description == name.lowercased() }) else {
                return nil
            }
            self = level
        }
    }

    /// The component that speaks, for example `swiftlet.http`.
    public let label: String
    /// Events below this level are dropped before they are formatted.
    public var level: Level
    /// Fields attached to every event of this logger.
    public var metadata: [(String, String)]
    private let sink: any LogSink

    /// Creates a logger writing to `sink`.
    public init(label: String, level: Level = .info, sink: any LogSink = StandardErrorSink.shared) {
        self.label = label
        self.level = level
        self.metadata = []
        self.sink = sink
    }

    /// A logger for a sub-component, sharing level, sink and metadata.
    public func child(_ suffix: String) -> Logger {
        var copy = Logger(label: "\(label).\(suffix)", level: level, sink: sink)
        copy.metadata = metadata
        return copy
    }

    /// True when an event at `level` would be written; lets hot paths skip building fields.
    @inlinable public func enabled(_ level: Level) -> Bool { level >= self.level }

    /// Writes one event.
    public func log(_ level: Level, _ message: @autoclosure () -> String, _ fields: [(String, String)] = []) {
        guard level >= self.level else { return }
        sink.write(LogEvent(level: level, label: label, message: message(), fields: metadata + fields))
    }

    public func trace(_ message: @autoclosure () -> String, _ fields: [(String, String)] = []) {
        log(.trace, message(), fields)
    }
    public func debug(_ message: @autoclosure () -> String, _ fields: [(String, String)] = []) {
        log(.debug, message(), fields)
    }
    public func info(_ message: @autoclosure () -> String, _ fields: [(String, String)] = []) {
        log(.info, message(), fields)
    }
    public func warning(_ message: @autoclosure () -> String, _ fields: [(String, String)] = []) {
        log(.warning, message(), fields)
    }
    public func error(_ message: @autoclosure () -> String, _ fields: [(String, String)] = []) {
        log(.error, message(), fields)
    }
}

/// One formatted-to-be event.
public struct LogEvent: Sendable {
    public var level: Logger.Level
    public var label: String
    public var message: String
    public var fields: [(String, String)]

    /// `2026-01-02T03:04:05.678Z info swiftlet.http: request http.method=GET http.status=200`
    public func formatted(at date: Date = Date()) -> String {
        var line = "\(Timestamp.iso8601(date)) \(level) \(label): \(message)"
        for (key, value) in fields {
            line += " \(key)=\(Self.quoted(value))"
        }
        return line
    }

    private static func quoted(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" })
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Where log events go.
public protocol LogSink: Sendable {
    func write(_ event: LogEvent)
}

/// Writes each event as one line to standard error with a single `write(2)`, so lines never interleave.
public final class StandardErrorSink: LogSink {
    public static let shared = StandardErrorSink()

    public func write(_ event: LogEvent) {
        var line = event.formatted()
        line.append("\n")
        line.withCString { pointer in
            _ = Foundation.write(2, pointer, strlen(pointer))
        }
    }
}

/// Keeps events in memory; for tests that assert what a component logged.
public final class MemoryLogSink: LogSink {
    private let events = Mutex<[LogEvent]>([])

    public init() {}

    public func write(_ event: LogEvent) {
        events.withLock { $0.append(event) }
    }

    /// Everything written so far.
    public var recorded: [LogEvent] { events.withLock { $0 } }
}
