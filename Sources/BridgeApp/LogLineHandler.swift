import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A swift-log handler writing one line per record to standard error, as Prometheus logs: logfmt
/// (`ts=… level=info msg="…" key=value`, go-kit's layout) or JSON (`--log-format`).
///
/// Every value is escaped so that a record is exactly one line whatever it holds: a peer's text
/// with CR, LF, quotes or terminal escapes stays inside its value (`PeerText` has already
/// bounded it). Levels use go-kit's `warn` for swift-log's `warning`.
public struct LogLineHandler: LogHandler {
    /// The line layouts `--log-format` takes.
    public enum Format: String, Sendable, CaseIterable {
        /// `key=value` pairs, quoted where needed (Prometheus' default).
        case logfmt
        /// One JSON object per line.
        case json
    }

    /// Level, as `--log-level` set it.
    public var logLevel: Logger.Level
    /// Metadata every record of this logger carries.
    public var metadata: Logger.Metadata = [:]
    private let format: Format
    private let write: @Sendable (String) -> Void

    /// A handler writing `format` lines through `write` (standard error by default).
    public init(
        format: Format, level: Logger.Level, write: @escaping @Sendable (String) -> Void = LogLineHandler.standardError
    ) {
        self.format = format
        logLevel = level
        self.write = write
    }

    /// Metadata by key.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one record.
    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        write(Self.line(format, time: Date(), level: event.level, message: "\(event.message)", metadata: fields))
    }

    /// The record as one line, newline included.
    public static func line(
        _ format: Format, time: Date, level: Logger.Level, message: String, metadata: Logger.Metadata
    ) -> String {
        var pairs: [(String, String)] = [
            ("ts", timestamp(time)), ("level", level == .warning ? "warn" : level.rawValue), ("msg", message),
        ]
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { pairs.append((key, text(value))) }
        switch format {
        case .logfmt:
            return pairs.map { logfmtKey($0.0) + "=" + logfmtValue($0.1) }.joined(separator: " ") + "\n"
        case .json:
            return "{" + pairs.map { jsonString($0.0) + ":" + jsonString($0.1) }.joined(separator: ",") + "}\n"
        }
    }

    /// RFC 3339 in UTC with milliseconds, as go-kit's `DefaultTimestampUTC`.
    static func timestamp(_ time: Date) -> String {
        let milliseconds = Int64((time.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(milliseconds % 1000))
    }

    /// A metadata value as text: nested values as swift-log prints them.
    static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        default: value.description
        }
    }

    /// A logfmt key: anything but a space, `=` or `"` and printable ASCII becomes `_`.
    static func logfmtKey(_ key: String) -> String {
        let scalars = key.unicodeScalars.map { scalar -> Character in
            scalar.value > 0x20 && scalar.value < 0x7F && scalar != "=" && scalar != "\"" ? Character(scalar) : "_"
        }
        return scalars.isEmpty ? "_" : String(scalars)
    }

    /// A logfmt value: bare when it needs no quoting, else quoted with Go's escapes
    /// (go-logfmt quotes empty values and those holding a space, `=`, `"` or a control byte).
    static func logfmtValue(_ value: String) -> String {
        let needsQuotes =
            value.isEmpty
            || value.unicodeScalars.contains {
                $0.value <= 0x20 || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.value == 0x7F
                    || (0x80...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}"
            }
        return needsQuotes ? "\"" + escaped(value) + "\"" : value
    }

    /// A JSON string literal (RFC 8259), control characters escaped.
    static func jsonString(_ value: String) -> String {
        "\"" + escaped(value) + "\""
    }

    /// `\\`, `\"`, `\n`, `\r`, `\t` and `\u00XX` for every other control character (C0, DEL, C1)
    /// and the two Unicode line separators: valid in both a Go-quoted logfmt value and JSON.
    static func escaped(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}":
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Writes `line` to standard error in one call, so that lines from several threads never mix.
    @Sendable public static func standardError(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}
