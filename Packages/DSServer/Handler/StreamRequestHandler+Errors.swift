import DSProtocol
import DSStore
import NIOCore
import NIOHTTP1

extension StreamRequestHandler {
    /// A plain-text error response with a short reason. The one place statuses for errors are chosen.
    func errorResponse(_ status: HTTPResponseStatus, _ reason: String) -> StreamResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        headers.add(name: "Cache-Control", value: "no-store")
        return StreamResponse(status: status, headers: headers, body: .buffers([ByteBuffer(string: reason + "\n")]))
    }

    /// Maps any error thrown on the request path to its response.
    func errorResponse(for error: any Error) -> StreamResponse {
        switch error {
        case let error as StoreError: return storeErrorResponse(error)
        case let error as ProtocolError: return errorResponse(.badRequest, error.description)
        default:
            options.logger.error("unexpected error while handling a request", metadata: ["error": "\(error)"])
            return errorResponse(.internalServerError, "internal error")
        }
    }

    private func storeErrorResponse(_ error: StoreError) -> StreamResponse {
        switch error {
        case .notFound:
            return errorResponse(.notFound, error.description)
        case .gone:
            return errorResponse(.gone, error.description)
        case .configurationMismatch, .contentTypeMismatch, .sequenceRegression, .forkSourceGone:
            return errorResponse(.conflict, error.description)
        case .streamClosed(let tail):
            var response = errorResponse(.conflict, error.description)
            response.headers.add(name: ProtocolHeader.streamClosed, value: "true")
            response.headers.add(name: ProtocolHeader.streamNextOffset, value: tail.description)
            return response
        case .staleProducerEpoch(let current):
            var response = errorResponse(.forbidden, error.description)
            response.headers.add(name: ProtocolHeader.producerEpoch, value: String(current))
            return response
        case .producerSequenceGap(let expected, let received):
            var response = errorResponse(.conflict, error.description)
            response.headers.add(name: ProtocolHeader.producerExpectedSeq, value: String(expected))
            response.headers.add(name: ProtocolHeader.producerReceivedSeq, value: String(received))
            return response
        case .invalidProducerEpochStart, .invalid:
            return errorResponse(.badRequest, error.description)
        case .insufficientStorage:
            return errorResponse(.insufficientStorage, error.description)
        case .unavailable:
            return errorResponse(.serviceUnavailable, error.description)
        }
    }

    /// Turns a failed future into its error response, so every operation's future always succeeds.
    func answeringErrors(_ future: EventLoopFuture<StreamResponse>) -> EventLoopFuture<StreamResponse> {
        future.flatMapErrorThrowing { error in self.errorResponse(for: error) }
    }
}
