package dev.ephemera.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ephemera.lease.LeaseException;
import dev.ephemera.server.domain.core.DomainException;
import io.micronaut.core.bind.exceptions.UnsatisfiedArgumentException;
import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.http.annotation.Body;
import io.micronaut.web.router.exceptions.UnsatisfiedBodyRouteException;
import io.micronaut.web.router.exceptions.UnsatisfiedRouteException;
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
        String framework = context.getErrors().isEmpty() ? status.getReason() : context.getErrors().getFirst().getMessage();
        String message = context.getRootCause().map(cause -> reason(cause, context.getRequest())).orElse(framework);
        return new ApiError(codeFor(status), inOurWords(status, message));
    }

    /**
     * The framework's refusals of a body or parameter, said as "which field, what rule": its own
     * messages name Java types and quote the input.
     */
    private static String reason(Throwable cause, HttpRequest<?> request) {
        return switch (cause) {
            case ConversionErrorException e when e.getArgument().getType().isRecord() ->
                    BodyShapes.explain(e.getArgument().getType(), RequestBodies.of(request));
            case ConversionErrorException e -> BodyShapes.snakeCase(e.getArgument().getName()) + " is not valid here";
            case UnsatisfiedArgumentException e when e.getArgument().getAnnotationMetadata().hasAnnotation(Body.class) ->
                    "a JSON request body is required";
            case UnsatisfiedArgumentException e -> BodyShapes.snakeCase(e.getArgument().getName()) + " is required";
            case UnsatisfiedBodyRouteException e -> "a JSON request body is required";
            case UnsatisfiedRouteException e -> BodyShapes.snakeCase(e.getArgument().getName()) + " is required";
            default -> {
                for (Throwable t = cause; t != null; t = t.getCause()) {
                    if (t instanceof JsonProcessingException json) {
                        yield BodyShapes.notJson(json);
                    }
                }
                yield null;
            }
        };
    }

    /** Last line of defence: a message that names a Java type, an exception or echoes a parser's source is replaced. */
    static String inOurWords(HttpStatus status, String message) {
        if (message == null || message.isBlank() || FRAMEWORK_TALK.matcher(message).find()) {
            return switch (status) {
                case BAD_REQUEST -> "the request is not valid";
                default -> status.getReason().toLowerCase(java.util.Locale.ROOT);
            };
        }
        return message;
    }

    private static final java.util.regex.Pattern FRAMEWORK_TALK = java.util.regex.Pattern.compile(
            "\\b(java|javax|jakarta|dev\\.ephemera|io\\.micronaut|io\\.netty|com\\.fasterxml)\\.[a-z]|Exception|\\[Source:"
                    + "|\\bclass \\w|Failed to convert|\\n\\s*at ");

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

    /** The one place where a domain refusal becomes an HTTP status. */
    static HttpStatus statusOf(DomainException.Kind kind) {
        return switch (kind) {
            case INVALID -> HttpStatus.BAD_REQUEST;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case FORBIDDEN -> HttpStatus.FORBIDDEN;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case BACKEND_UNAVAILABLE -> HttpStatus.BAD_GATEWAY;
        };
    }

    static HttpResponse<ApiError> respond(DomainException e) {
        return HttpResponse.<ApiError>status(statusOf(e.kind())).body(new ApiError(e.code(), e.getMessage()));
    }

    @Singleton
    static final class DomainExceptionHandler implements ExceptionHandler<DomainException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, DomainException e) {
            return respond(e);
        }
    }

    @Singleton
    static final class LeaseExceptionHandler implements ExceptionHandler<LeaseException, HttpResponse<ApiError>> {
        @Override
        public HttpResponse<ApiError> handle(HttpRequest request, LeaseException e) {
            return respond(DomainException.of(e));
        }
    }
}
