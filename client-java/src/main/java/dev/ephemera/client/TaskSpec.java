package dev.ephemera.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a task is for, as the vault's policy sees it: the objective, the tools it will use, the
 * sensitivity of the data it handles, and optionally the backend roles it may lease
 * ({@code backend/role}), its lifetime and the agent's manifest digest. Immutable; each
 * {@code with…} returns a copy.
 * <pre>{@code
 * TaskSpec.of("sum the month's orders").withTools("sql").withSensitivity(Sensitivity.CONFIDENTIAL)
 * }</pre>
 */
public record TaskSpec(String objective, Duration ttl, List<String> tools, Sensitivity sensitivity, List<String> roles,
                       String manifestDigest) {

    public TaskSpec {
        Args.requireText(objective, "objective");
        tools = tools == null ? List.of() : List.copyOf(tools);
        roles = roles == null ? List.of() : List.copyOf(roles);
    }

    public static TaskSpec of(String objective) {
        return new TaskSpec(objective, null, List.of(), null, List.of(), null);
    }

    /** @param ttl whole seconds, at least one; the server may cap it */
    public TaskSpec withTtl(Duration ttl) {
        Args.seconds(ttl, "ttl");
        return new TaskSpec(objective, ttl, tools, sensitivity, roles, manifestDigest);
    }

    public TaskSpec withTools(String... tools) {
        return new TaskSpec(objective, ttl, List.of(tools), sensitivity, roles, manifestDigest);
    }

    public TaskSpec withSensitivity(Sensitivity sensitivity) {
        return new TaskSpec(objective, ttl, tools, Objects.requireNonNull(sensitivity, "sensitivity"), roles, manifestDigest);
    }

    /** @param roles each {@code backend/role}, e.g. {@code "orders-db/reader"} */
    public TaskSpec withRoles(String... roles) {
        return new TaskSpec(objective, ttl, tools, sensitivity, List.of(roles), manifestDigest);
    }

    /** @param digest {@code sha256:} and 64 hex digits, as registered for the agent */
    public TaskSpec withManifestDigest(String digest) {
        return new TaskSpec(objective, ttl, tools, sensitivity, roles, Objects.requireNonNull(digest, "digest"));
    }
}
