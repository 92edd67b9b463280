import NIOCore
import NIOPosix

/// An event loop for tests that call a store directly.
public enum TestEventLoop {
    /// Any loop of NIO's shared group.
    public static var any: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
}
