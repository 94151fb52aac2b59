/// Turns a byte stream that arrives in pieces (one token's bytes at a time) into text,
/// holding back a character whose bytes have not all arrived: a byte-level tokenizer splits
/// an emoji or a CJK character over several tokens, and decoding each token alone would
/// print replacement characters.
public struct UTF8StreamDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// The text the bytes so far complete; an unfinished last character waits for the next call.
    public mutating func append(_ bytes: some Sequence<UInt8>) -> String {
        pending.append(contentsOf: bytes)
        let complete = Self.completePrefixLength(pending)
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Whatever is still held back (an unfinished character becomes U+FFFD).
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// The length of `bytes` without a trailing lead byte whose continuation bytes are still
    /// missing. Anything else, invalid bytes included, counts as complete and is decoded (to
    /// U+FFFD where invalid), so nothing waits forever.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        var i = bytes.count - 1
        var continuations = 0
        while i >= 0 && continuations < 3 && bytes[i] & 0xC0 == 0x80 {
            i -= 1
            continuations += 1
        }
        guard i >= 0 else { return bytes.count }
        let lead = bytes[i]
        let length = switch lead {
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 1
        }
        return length > continuations + 1 ? i : bytes.count
    }
}
