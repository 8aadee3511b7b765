package dev.ephemera.server.domain.policy;

import dev.ephemera.server.domain.core.DomainException;
import java.util.Map;

/**
 * What a permit policy asks of humans before its permit takes effect, written as Cedar annotations:
 * {@code @approval("1")} (one approver) or {@code @approval("2")} (break-glass: two distinct
 * approvers), and {@code @approval_excludes_owner("true")} (the agent's own owner may not approve).
 * The requesting agent can never approve, having no admin identity.
 */
public record ApprovalRule(int approvers, boolean excludesOwner) {
    public static final ApprovalRule NONE = new ApprovalRule(0, false);

    public boolean required() {
        return approvers > 0;
    }

    /** Several determining permits: the strictest of them applies. */
    ApprovalRule and(ApprovalRule other) {
        return new ApprovalRule(Math.max(approvers, other.approvers), excludesOwner || other.excludesOwner);
    }

    /** Reads a policy's annotations; a malformed one refuses the upload (400) rather than being ignored. */
    static ApprovalRule of(String policyId, Map<String, String> annotations) {
        String approval = annotations.get("approval");
        String excludes = annotations.get("approval_excludes_owner");
        if (approval == null) {
            if (excludes != null) {
                throw DomainException.invalid("policy '" + policyId + "': @approval_excludes_owner needs @approval");
            }
            return NONE;
        }
        int approvers = switch (approval) {
            case "1" -> 1;
            case "2" -> 2;
            default -> throw DomainException.invalid("policy '" + policyId + "': @approval must be \"1\" or \"2\" (break-glass)");
        };
        if (excludes != null && !excludes.equals("true") && !excludes.equals("false")) {
            throw DomainException.invalid("policy '" + policyId + "': @approval_excludes_owner must be \"true\" or \"false\"");
        }
        return new ApprovalRule(approvers, "true".equals(excludes));
    }
}
