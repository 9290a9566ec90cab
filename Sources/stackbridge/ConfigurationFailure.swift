import ArgumentParser
import Foundation

/// How every command ends on a configuration it cannot use: the error's one line on standard
/// error, exit status 2, and no usage text (the command line was right, the file was not).
enum ConfigurationFailure {
    /// The exit status of a configuration error, the same for every command.
    static let exitCode = ExitCode(2)

    /// Runs `body`; an error it throws is printed and becomes ``exitCode``.
    static func guarding<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            throw exitCode
        }
    }
}
