import Foundation

/// Writes to standard output without buffering, so lines keep their order with progress and
/// warnings on standard error, and with output of child processes. Shadows `Swift.print`
/// throughout the executable.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator) + terminator
    FileHandle.standardOutput.write(Data(text.utf8))
}
