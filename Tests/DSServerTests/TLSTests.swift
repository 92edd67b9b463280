import AsyncHTTPClient
import DSServer
import DSTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Testing

/// HTTPS with a throw-away certificate made at test time.
struct TLSTests {
    @Test func aTLSRoundTripWorksAndLocationsSayHTTPS() async throws {
        let certificate = try TestCertificate.generate()
        defer { certificate.remove() }
        let tls = try TLSConfiguration.durableStreamsServer(
            certificateChainPEMFile: certificate.certificatePath, privateKeyPEMFile: certificate.keyPath
        )
        let client = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: HTTPClient.Configuration(tlsConfiguration: try certificate.clientConfiguration())
        )
        do {
            try await TestServer.with(configure: { $0.tls = tls }) { (server: TestServer) async throws in
                #expect(server.server.baseURL.hasPrefix("https://127.0.0.1:"))
                let url = server.server.streamRootURL + uniquePath()
                var create = HTTPClientRequest(url: url)
                create.method = .PUT
                create.headers.add(name: "Content-Type", value: "text/plain")
                create.body = .bytes(ByteBuffer(string: "secret"))
                let created = try await client.execute(create, timeout: .seconds(30))
                #expect(created.status == .created)
                #expect(created.headers.first(name: "Location") == url)
                let read = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
                #expect(read.status == .ok)
                #expect(String(buffer: try await read.body.collect(upTo: 1024)) == "secret")

                // Plain HTTP to the TLS port does not get a stream.
                let plainURL = url.replacingOccurrences(of: "https://", with: "http://")
                let plain = try? await TestHTTPClient.shared.execute(HTTPClientRequest(url: plainURL), timeout: .seconds(10))
                #expect(plain?.status != .ok)
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    @Test func anUntrustedCertificateIsRefusedByTheClient() async throws {
        let certificate = try TestCertificate.generate()
        let other = try TestCertificate.generate()
        defer {
            certificate.remove()
            other.remove()
        }
        let tls = try TLSConfiguration.durableStreamsServer(
            certificateChainPEMFile: certificate.certificatePath, privateKeyPEMFile: certificate.keyPath
        )
        let client = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: HTTPClient.Configuration(tlsConfiguration: try other.clientConfiguration())
        )
        do {
            try await TestServer.with(configure: { $0.tls = tls }) { (server: TestServer) async throws in
                _ = await #expect(throws: (any Error).self) {
                    _ = try await client.execute(HTTPClientRequest(url: server.server.streamRootURL + "x"), timeout: .seconds(2))
                }
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
