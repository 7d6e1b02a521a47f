package io.digits.serve;

/**
 * A request the server answers with TF Serving's error body {@code {"error": "..."}} and an HTTP
 * status chosen as TF Serving maps its status codes (model_servers/http_server.cc,
 * ToHTTPStatusCode): INVALID_ARGUMENT and FAILED_PRECONDITION give 400, NOT_FOUND gives 404.
 */
final class ServingException extends RuntimeException {
  private final int httpStatus;

  private ServingException(int httpStatus, String message) {
    super(message);
    this.httpStatus = httpStatus;
  }

  static ServingException badRequest(String message) {
    return new ServingException(400, message);
  }

  static ServingException notFound(String message) {
    return new ServingException(404, message);
  }

  static ServingException tooLarge(String message) {
    return new ServingException(413, message);
  }

  static ServingException unavailable(String message) {
    return new ServingException(503, message);
  }

  int httpStatus() {
    return httpStatus;
  }
}
