/// A statistics database that cannot be opened or brought up to date (not SQLite, damaged,
/// unwritable); the file is left as it is.
public struct StatsStoreError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String

    public var description: String {
        "\(path) is not a usable Retrace statistics database: \(reason) (the file was left as it is)"
    }
}
