@testable import DSServer
import Testing

/// Lookups in a query kept as sent give what decoding the whole query into a dictionary gives.
struct QueryParametersTests {
    private func parameters(_ raw: String) throws -> QueryParameters {
        try #require(QueryParameters(raw: Substring(raw)))
    }

    @Test func lookupsDecodeTheFirstOccurrence() throws {
        let query = try parameters("offset=-1&live=long-poll&offset=7&cursor=&a=1+2&b=%7E&flag&&x=a=b")
        #expect(query["offset"] == "-1")
        #expect(query["live"] == "long-poll")
        #expect(query["cursor"] == "")
        #expect(query["a"] == "1 2")
        #expect(query["b"] == "~")
        #expect(query["flag"] == "")
        #expect(query["x"] == "a=b")
        #expect(query["missing"] == nil)
        #expect(query["offse"] == nil)
        #expect(query.all == ["offset": "-1", "live": "long-poll", "cursor": "", "a": "1 2", "b": "~", "flag": "", "x": "a=b"])
    }

    @Test func escapedNamesMatchTheirDecodedForm() throws {
        let query = try parameters("%6Fffset=5&l+v=sp&caf%C3%A9=1")
        #expect(query["offset"] == "5")
        #expect(query["l v"] == "sp")
        #expect(query["café"] == "1")
        #expect(query["%6Fffset"] == nil)
    }

    @Test func malformedEscapesAndInvalidUTF8AreRefused() {
        for raw in ["a=%", "a=%4", "a=%zz", "%=1", "a=%FF", "a=1&b=%C3"] {
            #expect(QueryParameters(raw: Substring(raw)) == nil, "\(raw)")
        }
        #expect(QueryParameters(raw: "") != nil)
    }

    @Test func aDictionaryAndARawQueryWithTheSameParametersAreEqual() throws {
        #expect(try parameters("b=2&a=1&a=3") == ["a": "1", "b": "2"])
        #expect(try parameters("") == [:])
        #expect(try parameters("a=1").isEmpty == false)
        #expect(QueryParameters(["k": "v"])["k"] == "v")
    }
}
