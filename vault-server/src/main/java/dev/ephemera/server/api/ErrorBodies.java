package dev.ephemera.server.api;

import dev.ephemera.lease.LeaseException;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.JsonErrorResponseBodyProvider;
import jakarta.inject.Singleton;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every error, ours and the framework's (bad JSON, unknown route, wrong method, body too
 * large), the one shape {@code {"error": code, "message": reason}}. A 5xx never carries the
 * exception's message, which may come from a driver and hold anything; it carries a reference that
 * matches the server log line instead.
 */
@Singleton
@Replaces(JsonErrorResponseBodyProvider.class)
final class ErrorBodies implements JsonErrorResponseBodyProvider<ApiError> {
    private static final Logger log = LoggerFactory.getLogger(ErrorBodies.class);

    @Override
    public ApiError body(ErrorContext context, HttpResponse<?> response) {
        HttpStatus status = response.getStatus();
        if (status.getCode() >= 500) {
            String reference = UUID.randomUUID().toString();
            context.getRootCause().ifPresentOrElse(
                    cause -> log.error("internal error {} on {} {}: {}", reference, context.getRequest().getMethod(),
                            context.getRequest().getPath(), cause.getClass().getName()),
                    () -> log.error("internal error {} on {} {}", reference, context.getRequest().getMethod(),
                            context.getRequest().getPath()));
            return new ApiError("internal", "internal error; reference " + reference);
        }
        String message = context.getErrors().isEmpty() ? status.getReason() : context.getErrors().getFirst().getMessage();
        return new ApiError(codeFor(status), message);
    }

    static String codeFor(HttpStatus status) {
        return switch (status) {
            case UNAUTHORIZED -> "unauthenticated";
            case FORBIDDEN -> "forbidden";
            case NOT_FOUND -> "not_found";
            case METHOD_NOT_ALLOWED -> "method_not_allowed";
            case CONFLICT -> "conflict";
            case REQUEST_ENTITY_TOO_LARGE -> "payload_too_large";
            case UNSUPPORTED_MEDIA_TYPE -> "unsupported_media_type";
            case TOO_MANY_REQUESTS -> "rate_limited";
            default -> "invalid_request";
        };
    }

    @Singleton
    static final class ApiExceptionHandler implements ExceptionHandler<ApiException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, ApiException e) {
            return HttpResponse.<ApiError>status(e.status()).body(new ApiError(e.code(), e.getMessage()));
        }
    }

    @Singleton
    static final class LeaseExceptionHandler implements ExceptionHandler<LeaseException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, LeaseException e) {
            ApiException api = switch (e.reason()) {
                case NOT_FOUND -> ApiException.notFound(e.getMessage());
                case BACKEND_UNKNOWN -> ApiException.notFound(e.getMessage());
                case NOT_RENEWABLE, NOT_REVOKING -> ApiException.conflict(e.getMessage());
                case BACKEND_FAILED -> ApiException.backendUnavailable(e.getMessage());
                case QUOTA_EXCEEDED -> new ApiException(HttpStatus.TOO_MANY_REQUESTS, "quota_exceeded", e.getMessage());
                case SHUTTING_DOWN -> new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", e.getMessage());
                case REVOKED -> new ApiException(HttpStatus.CONFLICT, "lease_revoked", e.getMessage());
            };
            return HttpResponse.<ApiError>status(api.status()).body(new ApiError(api.code(), api.getMessage()));
        }
    }
}
