import RetraceCore
import Testing

@Suite struct UTF8StreamDecoderTests {
    @Test func anySplitOfTheBytesGivesTheText() {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", " ", "\n", "é", "ß", "日", "本", "€", "🌊", "🇫🇷", "\u{7F}", "\u{80}", "\u{10FFFF}"]
        for _ in 0..<500 {
            let text = String((0..<Int.random(in: 0...40, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            let bytes = Array(text.utf8)
            var decoder = UTF8StreamDecoder()
            var out = ""
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 0...5, using: &rng))
                let piece = decoder.append(bytes[start..<end])
                // Nothing is emitted that a later byte could still change.
                #expect(String(decoding: bytes[..<end], as: UTF8.self).unicodeScalars.starts(with: (out + piece).unicodeScalars))
                out += piece
                start = end
            }
            out += decoder.finish()
            #expect(out == text)
        }
    }

    @Test func invalidBytesAreReplacedNotHeld() {
        var decoder = UTF8StreamDecoder()
        #expect(decoder.append([0xFF, 0x41]) == "\u{FFFD}A")
        #expect(decoder.append([0x80]) == "\u{FFFD}")          // a stray continuation byte
        #expect(decoder.append([0xE6, 0x97]) == "")              // the first two of three bytes
        #expect(decoder.append([0xA5]) == "日")
        #expect(decoder.append([0xF0, 0x9F, 0x8C]) == "")
        #expect(decoder.finish() == "\u{FFFD}")                 // cut off: replaced at the end
        #expect(decoder.finish() == "")
    }
}
