@testable import DSConformance
import Testing

/// The suite's own SSE parser must follow the WHATWG rules, or it would misjudge servers.
struct SSEParserTests {
    @Test func splitsEventsOnBlankLinesWithAnyLineEnd() {
        var parser = SSEParser()
        let events = parser.feed(Array("event: data\r\ndata: a\rdata: b\n\nevent: control\ndata: {}\r\n\r\n".utf8))
        #expect(events == [SSEEvent(type: "data", data: "a\nb"), SSEEvent(type: "control", data: "{}")])
    }

    @Test func handlesCRLFSplitAcrossFeeds() {
        var parser = SSEParser()
        var events = parser.feed(Array("data: x\r".utf8))
        events += parser.feed(Array("\n\r".utf8))
        events += parser.feed(Array("\n".utf8))
        #expect(events == [SSEEvent(type: "message", data: "x")])
    }

    @Test func ignoresCommentsAndUnknownFieldsAndKeepsEmptyDataLines() {
        var parser = SSEParser()
        let events = parser.feed(Array(": keep-alive\nid: 7\ndata:\ndata:  two spaces\n\n".utf8))
        #expect(events == [SSEEvent(type: "message", data: "\n two spaces")])
    }

    @Test func dropsEventsWithoutData() {
        var parser = SSEParser()
        #expect(parser.feed(Array("event: control\n\n".utf8)).isEmpty)
    }

    @Test func base64DecodingRemovesLineBreaksAndChecksLength() throws {
        #expect(try SSEOutcome.decodeBase64("AQID\nBAUG\r\nBwgJCg==", request: "test") == Array(1...10))
        #expect(try SSEOutcome.decodeBase64("", request: "test") == [])
        #expect(throws: (any Error).self) { try SSEOutcome.decodeBase64("AQI", request: "test") }
    }
}

/// Structural JSON comparison used for JSON-mode expectations.
struct JSONValueTests {
    @Test func comparesStructurallyNotTextually() {
        #expect(JSONValue.parse(#" { "b" : [1, 2.0], "a": null } "#) == ["a": nil, "b": [1, 2]])
        #expect(JSONValue.parse("[true]") != JSONValue.parse("[1]"))
    }

    @Test func parsesScalarsAndRejectsInvalidText() {
        #expect(JSONValue.parse("\"s\"") == "s")
        #expect(JSONValue.parse("1 2") == nil)
        #expect(JSONValue.parse("{") == nil)
        #expect(JSONValue.parse("") == nil)
    }

    @Test func descriptionIsValidJSONForAwkwardStrings() {
        let value: JSONValue = ["k": .string("quote \" backslash \\ newline \n tab \t bell \u{07} é")]
        #expect(JSONValue.parse(value.description) == value)
    }
}

/// Reproducibility of the property-based cases.
struct SeededRandomTests {
    @Test func sameSeedSameSequence() {
        var first = SeededRandom(seed: 42)
        var second = SeededRandom(seed: 42)
        #expect(first.bytes(64) == second.bytes(64))
    }

    @Test func perCaseSeedsDifferByName() {
        #expect(SeededRandom.derive(7, "a") != SeededRandom.derive(7, "b"))
        #expect(SeededRandom.derive(7, "a") == SeededRandom.derive(7, "a"))
    }

    @Test func offsetsArePercentEncodedInQueries() {
        #expect(ConformanceContext.queryString([("offset", "a/b,c=d&e?f g")]) == "?offset=a%2Fb%2Cc%3Dd%26e%3Ff%20g")
        #expect(ConformanceContext.queryString([("offset", "-1")]) == "?offset=-1")
    }
}
