/// The fixed, varied prompt set of `retrace demo`: code, summarisation of a passage, question
/// answering over a passage, and open chat. Embedded, so the demo needs no data files.
enum DemoPrompts {
    static let passage = """
        The Lighthouse of Alexandria was built in the third century BC on the island of Pharos, \
        at the entrance to the harbour of Alexandria in Egypt. Commissioned by Ptolemy I Soter and \
        completed under his son Ptolemy II, it stood more than 100 metres tall, which made it one of \
        the tallest structures built by people for many centuries. A fire burned at its top at night, \
        and a large bronze mirror is said to have reflected sunlight by day, so that ships could see \
        the harbour from far out at sea. The lighthouse survived for more than a thousand years, but \
        a series of earthquakes between 956 and 1323 AD damaged it badly, and it was finally abandoned. \
        In 1480 the Sultan of Egypt, Qaitbay, used some of its remaining stones to build a fortress on \
        the same site, which still stands today. Divers found large blocks of the lighthouse on the \
        floor of the harbour in 1994.
        """

    static let all: [(id: String, kind: String, prompt: String)] = [
        ("code", "code", """
            Write a Python function `merge_sorted(a, b)` that merges two sorted lists into one sorted \
            list without using sort(). Include a docstring and two doctest examples.
            """),
        ("summary", "summarization", "Summarize the following passage in three sentences.\n\n" + passage),
        ("qa", "question answering", """
            Read the passage and answer the question using words from the passage.

            \(passage)

            Question: Who used the stones of the lighthouse, and what did he build with them?
            """),
        ("chat", "open chat", "What are three practical tips for staying focused while working from home?"),
    ]
}
