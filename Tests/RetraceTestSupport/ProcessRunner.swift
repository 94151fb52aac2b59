import Foundation

/// The outcome of a finished child process.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    public var output: String { stdout + stderr }
}

/// Runs `retrace` (or `executable`) with `arguments`, waits, and returns its status and output.
@discardableResult
public func runRetrace(_ arguments: [String], executable: String = TestPaths.retraceExecutable,
                       stdin: Data? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    // Feed stdin, and read both pipes, on separate threads, so a chatty child can fill neither
    // pipe and block; plain read/write loops that retry on EINTR (other tests' children exit
    // and signal this process while it waits).
    let group = DispatchGroup()
    let writer = input.fileHandleForWriting
    group.enter()
    DispatchQueue.global().async {
        if let stdin { writeAll(stdin, to: writer.fileDescriptor) }
        try? writer.close()
        group.leave()
    }
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        errData = readAll(err.fileHandleForReading.fileDescriptor)
        group.leave()
    }
    let outData = readAll(out.fileHandleForReading.fileDescriptor)
    group.wait()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// Writes all of `data` to `fd`, retrying on EINTR; stops quietly when the reader has gone.
func writeAll(_ data: Data, to fd: Int32) {
    data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, base + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}

/// Reads `fd` to its end, retrying on EINTR.
func readAll(_ fd: Int32) -> Data {
    var data = Data()
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = read(fd, &chunk, chunk.count)
        if n < 0 {
            if errno == EINTR { continue }
            break
        }
        if n == 0 { break }
        data.append(contentsOf: chunk[0..<n])
    }
    return data
}
