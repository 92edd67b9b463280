import AsyncHTTPClient
import NIOPosix

/// The HTTP client every test uses: no automatic decompression (tests inspect `Content-Encoding` themselves)
/// and a connection pool large enough for hundreds of concurrent live reads.
public enum TestHTTPClient {
    /// The shared client; lives for the whole test process.
    public static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.decompression = .disabled
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 2048
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()
}
