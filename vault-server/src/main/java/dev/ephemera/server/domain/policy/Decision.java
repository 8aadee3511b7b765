package dev.ephemera.server.domain.policy;

import java.util.List;

/**
 * The outcome of one policy evaluation, with the record that keeps it. The record's
 * {@code policyIds} are the determining policies: the permits that matched for a permit, the
 * forbids that matched for a deny (none when nothing permitted: default deny).
 */
public sealed interface Decision {
    DecisionRecord record();

    default String id() {
        return record().id();
    }

    default List<String> policyIds() {
        return record().policyIds();
    }

    record Permit(DecisionRecord record) implements Decision {
        /** Human approval this permit still needs before it takes effect ({@link ApprovalRule#NONE}: none). */
        public ApprovalRule approval() {
            return record.approvalRule();
        }

        public Permit approvedBy(String approvalId) {
            return new Permit(record.approvedBy(approvalId));
        }
    }

    record Deny(DecisionRecord record) implements Decision {}
}
