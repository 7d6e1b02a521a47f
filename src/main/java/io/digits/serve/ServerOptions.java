package io.digits.serve;

import java.net.InetSocketAddress;

/**
 * How the HTTP server runs. {@code threads} HTTP worker threads read, parse and answer requests;
 * up to {@code maxQueuedRequests} more wait for a thread, and beyond that a request is answered
 * 503. A request must arrive whole within {@code requestTimeoutSeconds} (and its answer be taken
 * within as long), or its connection is closed; a kept-alive connection idle for
 * {@code idleTimeoutSeconds} is closed. {@code batching} null: each request runs alone on its thread.
 */
public record ServerOptions(InetSocketAddress address, int threads, int maxQueuedRequests, int requestTimeoutSeconds,
    int idleTimeoutSeconds, BatchingOptions batching) {

  public ServerOptions {
    if (threads < 1 || maxQueuedRequests < 0 || requestTimeoutSeconds < 1 || idleTimeoutSeconds < 1) {
      throw new IllegalArgumentException("need threads >= 1, queued requests >= 0 and timeouts >= 1 s");
    }
  }

  /** Defaults on 127.0.0.1, port 0 (any free one), for tests. */
  static ServerOptions loopback(int threads, BatchingOptions batching) {
    return new ServerOptions(new InetSocketAddress("127.0.0.1", 0), threads, 64, 30, 30, batching);
  }
}
