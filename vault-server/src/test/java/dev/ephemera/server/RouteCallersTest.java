package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.server.api.CalledBy;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.web.router.Router;
import io.micronaut.web.router.UriRouteInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route the server exposes declares who may call it, and refuses a request without a token
 * and one with a token of the wrong kind, before it does anything else.
 */
class RouteCallersTest {
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withoutPostgres();
    static TestVault vault;
    static Map<String, String> tokens;

    @BeforeAll
    static void start() {
        String task = vault.call("POST", "/v1/tasks", vault.workloadToken(), Map.of("objective", "probe the routes"))
                .expect(201).json().get("task_token").asText();
        vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", "probe-key", "value", "probe-value")).expect(201);
        String consumer = vault.approved("POST", "/v1/escrow/probe-key/consumers", Map.of("name", "probe-app"))
                .expect(201).json().get("token").asText();
        String admin = vault.server().bean(Tokens.class).issueAdmin("route-prober@example.com", "default");
        tokens = Map.of("task", task, "consumer", consumer, "admin", admin, "operator", vault.adminToken(),
                "workload", vault.workloadToken());
    }

    @Test
    void everyRouteDeclaresItsCallers() {
        List<String> undeclared = routes().stream().filter(route -> !route.getAnnotationMetadata().hasAnnotation(CalledBy.class))
                .map(RouteCallersTest::describe).toList();
        assertThat(routes()).hasSizeGreaterThan(50);
        assertThat(undeclared).as("routes without @CalledBy").isEmpty();
    }

    @Test
    void everyRouteRefusesNoTokenAndATokenOfTheWrongKind() {
        List<String> failures = new ArrayList<>();
        int probed = 0;
        for (UriRouteInfo<?, ?> route : routes()) {
            CalledBy declared = route.getAnnotationMetadata().synthesize(CalledBy.class);
            if (declared == null) {
                failures.add(describe(route) + " declares no caller");
                continue;
            }
            CalledBy.Caller caller = declared.value();
            if (caller == CalledBy.Caller.ANYONE) {
                continue;
            }
            String method = route.getHttpMethod().name();
            String path = concrete(route.getUriMatchTemplate().toString());
            probed++;
            int anonymous = vault.call(method, path, null, body(method)).status();
            if (anonymous != 401) {
                failures.add(describe(route) + " without a token answered " + anonymous);
            }
            for (String wrong : wrongKinds(caller)) {
                TestVault.Response answer = vault.call(method, path, tokens.get(wrong), body(method));
                if (answer.status() != 401 && answer.status() != 403) {
                    failures.add(describe(route) + " with a " + wrong + " token answered " + answer.status() + ": " + answer.body());
                }
            }
        }
        assertThat(probed).isGreaterThan(50);
        assertThat(failures).isEmpty();
    }

    @Test
    void aRouteThatDeclaresNoCallerServesNobody(@TempDir Path otherDir) {
        try (TestVault withUndeclared = TestVault.start(otherDir, Map.of("ephemera.test.undeclared-route", "true"))) {
            TestVault.Response answer = withUndeclared.call("GET", "/v1/test-undeclared", withUndeclared.adminToken(), null);
            assertThat(answer.status()).isEqualTo(403);
            assertThat(answer.body()).contains("declares no caller").doesNotContain("reached");
        }
    }

    /** A route someone forgot to declare: present only when a test asks for it. */
    @Controller("/v1/test-undeclared")
    @Requires(property = "ephemera.test.undeclared-route", value = "true")
    static final class UndeclaredController {
        @Get
        String reached() {
            return "reached";
        }
    }

    /** Tokens a route declared for {@code caller} must refuse. */
    private static List<String> wrongKinds(CalledBy.Caller caller) {
        return switch (caller) {
            case ANYONE -> List.of();
            case WORKLOAD -> List.of("consumer");
            case TASK -> List.of("operator", "consumer", "workload");
            case ADMIN -> List.of("task", "consumer", "workload");
            case OPERATOR -> List.of("admin", "task", "consumer", "workload");
            case CONSUMER -> List.of("operator", "task", "workload");
            case ADMIN_OR_TASK -> List.of("consumer", "workload");
        };
    }

    private static List<UriRouteInfo<?, ?>> routes() {
        return vault.server().bean(Router.class).uriRoutes().filter(r -> r.getUriMatchTemplate().toString().startsWith("/v1/")).toList();
    }

    /** The template with every variable given a value and optional query variables left out. */
    private static String concrete(String template) {
        return template.replaceAll("\\{\\?[^}]*}", "").replaceAll("\\{[^}]*}", "probe");
    }

    private static Object body(String method) {
        return method.equals("GET") || method.equals("DELETE") ? null : Map.of();
    }

    private static String describe(UriRouteInfo<?, ?> route) {
        return route.getHttpMethod() + " " + route.getUriMatchTemplate();
    }
}
