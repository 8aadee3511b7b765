package dev.ephemera.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorMapperTest {

    private static final HttpHeaders NO_HEADERS = HttpHeaders.of(Map.of(), (name, value) -> true);

    private static EphemeraException map(int status, String body) {
        return ErrorMapper.map(status, body, NO_HEADERS);
    }

    private static String errorBody(String code, String message) {
        return "{\"error\":\"" + code + "\",\"message\":\"" + message + "\"}";
    }

    @ParameterizedTest
    @CsvSource({
            "400, invalid_request, InvalidRequestException",
            "401, unauthenticated, AuthenticationException",
            "403, forbidden, PermissionDeniedException",
            "404, not_found, NotFoundException",
            "408, timeout, ServerUnavailableException",
            "409, conflict, InvalidRequestException",
            "413, payload_too_large, InvalidRequestException",
            "422, invalid_request, InvalidRequestException",
            "429, rate_limited, RateLimitedException",
            "418, teapot, InvalidRequestException",
            "500, internal, ServerUnavailableException",
            "502, bad_gateway, ServerUnavailableException",
            "503, backend_unavailable, ServerUnavailableException",
            "302, redirect, ServerUnavailableException",
    })
    void mapsEachStatusToItsExceptionWithTheServersCodeAndMessage(int status, String code, String type) {
        EphemeraException e = map(status, errorBody(code, "the reason given by the server"));

        assertThat(e.getClass().getSimpleName()).isEqualTo(type);
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.errorCode()).isEqualTo(code);
        assertThat(e.getMessage()).isEqualTo("the reason given by the server");
        assertThat(e.getCause()).isNull();
    }

    @Test
    void ignoresUnknownFieldsInTheErrorBody() {
        EphemeraException e = map(404, "{\"error\":\"not_found\",\"message\":\"no such lease\",\"trace_id\":\"t1\",\"details\":{\"a\":1}}");

        assertThat(e).isInstanceOf(NotFoundException.class).hasMessage("no such lease");
        assertThat(e.errorCode()).isEqualTo("not_found");
    }

    @Test
    void nonJsonBodyGivesAGenericMessageWithoutQuotingTheBody() {
        String html = "<html><body><h1>502 Bad Gateway</h1> upstream said password=hunter2</body></html>";

        EphemeraException e = map(502, html);

        assertThat(e).isInstanceOf(ServerUnavailableException.class);
        assertThat(e.status()).isEqualTo(502);
        assertThat(e.errorCode()).isEqualTo("unknown");
        assertThat(e.getMessage())
                .isEqualTo("Ephemera answered HTTP 502 with a body that is not a JSON error")
                .doesNotContain("hunter2").doesNotContain("<html>");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "[1,2,3]", "\"just a string\"", "42", "null", "{\"error\":", "{not json}"})
    void unusableBodiesStillMapByStatus(String body) {
        EphemeraException e = map(401, body);

        assertThat(e).isInstanceOf(AuthenticationException.class);
        assertThat(e.errorCode()).isEqualTo("unknown");
        assertThat(e.getMessage()).startsWith("Ephemera answered HTTP 401");
    }

    @Test
    void nullBodyIsHandled() {
        EphemeraException e = map(503, null);

        assertThat(e).isInstanceOf(ServerUnavailableException.class);
        assertThat(e.getMessage()).isEqualTo("Ephemera answered HTTP 503 with a body that is not a JSON error");
    }

    @Test
    void missingMessageFallsBackToStatusAndCode() {
        EphemeraException e = map(403, "{\"error\":\"forbidden\"}");

        assertThat(e).isInstanceOf(PermissionDeniedException.class).hasMessage("Ephemera answered HTTP 403 (forbidden)");
        assertThat(e.errorCode()).isEqualTo("forbidden");
    }

    @Test
    void missingCodeIsReportedAsUnknown() {
        EphemeraException e = map(409, "{\"message\":\"task is not active\"}");

        assertThat(e).isInstanceOf(InvalidRequestException.class).hasMessage("task is not active");
        assertThat(e.errorCode()).isEqualTo("unknown");
    }

    @Test
    void emptyJsonObjectFallsBackToStatus() {
        EphemeraException e = map(500, "{}");

        assertThat(e).hasMessage("Ephemera answered HTTP 500 without an error message");
        assertThat(e.errorCode()).isEqualTo("unknown");
    }

    @Test
    void nonTextualFieldsAreTreatedAsMissing() {
        EphemeraException e = map(400, "{\"error\":17,\"message\":{\"nested\":true}}");

        assertThat(e).isInstanceOf(InvalidRequestException.class).hasMessage("Ephemera answered HTTP 400 without an error message");
        assertThat(e.errorCode()).isEqualTo("unknown");
    }

    @Test
    void unexpectedStatusIsNamedWhenTheBodyHasNoMessage() {
        EphemeraException e = map(301, "");

        assertThat(e).isInstanceOf(ServerUnavailableException.class).hasMessage("Ephemera answered with unexpected HTTP status 301");
    }

    @Test
    void controlCharactersAreRemovedAndLongMessagesCut() {
        EphemeraException forged = map(400, errorBody("invalid_request", "bad ttl\\nINFO fake log line"));
        assertThat(forged.getMessage()).isEqualTo("bad ttl INFO fake log line");

        EphemeraException longOne = map(400, errorBody("invalid_request", "x".repeat(5000)));
        assertThat(longOne.getMessage()).hasSize(ErrorMapper.MAX_MESSAGE_LENGTH + 3).endsWith("...");
    }

    @Test
    void rateLimitCarriesRetryAfterInSeconds() {
        HttpHeaders headers = HttpHeaders.of(Map.of("Retry-After", List.of("7")), (name, value) -> true);

        EphemeraException e = ErrorMapper.map(429, errorBody("rate_limited", "slow down"), headers);

        assertThat(e).isInstanceOfSatisfying(RateLimitedException.class,
                limited -> assertThat(limited.retryAfter()).contains(Duration.ofSeconds(7)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Wed, 21 Oct 2026 07:28:00 GMT", "-1", "soon", ""})
    void rateLimitIgnoresRetryAfterItCannotRead(String value) {
        HttpHeaders headers = HttpHeaders.of(Map.of("Retry-After", List.of(value)), (name, v) -> true);

        RateLimitedException e = (RateLimitedException) ErrorMapper.map(429, "{}", headers);

        assertThat(e.retryAfter()).isEmpty();
    }

    @Test
    void exceptionsAreExhaustivelySwitchable() {
        EphemeraException e = map(404, errorBody("not_found", "gone"));

        String kind = switch (e) {
            case AuthenticationException a -> "auth";
            case PermissionDeniedException p -> "denied";
            case NotFoundException n -> "missing";
            case InvalidRequestException i -> "invalid";
            case RateLimitedException r -> "limited";
            case ServerUnavailableException s -> "unavailable";
            case ApprovalPendingException p -> "pending";
        };

        assertThat(kind).isEqualTo("missing");
    }
}
