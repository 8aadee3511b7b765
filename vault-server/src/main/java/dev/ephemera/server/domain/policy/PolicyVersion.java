package dev.ephemera.server.domain.policy;

import java.time.Instant;
import java.util.List;

/**
 * One uploaded policy set of a tenant. Versions only grow: a rollback uploads an older text again as
 * a new version, so the history says who changed what, when, and back to what.
 */
public record PolicyVersion(String tenant, int version, String text, List<String> policyIds, String author,
                            Instant createdAt, Integer rollbackOf) {
}
