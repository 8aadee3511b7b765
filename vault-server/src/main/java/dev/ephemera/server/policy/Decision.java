package dev.ephemera.server.policy;

import dev.ephemera.server.api.ApiException;
import io.micronaut.http.HttpStatus;
import java.util.List;

/**
 * The outcome of one policy evaluation. {@code policyIds} are the determining policies: the permits
 * that matched for a permit, the forbids that matched for a deny (empty when nothing permitted:
 * default deny). {@code policyVersion} is 0 when the tenant has no policy set at all.
 */
public sealed interface Decision {
    String id();

    int policyVersion();

    List<String> policyIds();

    /** Goes on when permitted; a deny becomes a 403 that names the reason and the decision kept. */
    default void requirePermit() {
        if (this instanceof Deny deny) {
            throw new ApiException(HttpStatus.FORBIDDEN, "policy_denied",
                    "denied by policy: " + deny.reason() + " (decision " + deny.id() + ")");
        }
    }

    record Permit(String id, int policyVersion, List<String> policyIds) implements Decision {}

    record Deny(String id, int policyVersion, List<String> policyIds, String reason) implements Decision {}
}
