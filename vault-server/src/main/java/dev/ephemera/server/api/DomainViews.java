package dev.ephemera.server.api;

import dev.ephemera.server.domain.approval.Approval;
import dev.ephemera.server.domain.policy.DecisionRecord;
import dev.ephemera.server.domain.proxy.ProxyAuditLog;
import io.micronaut.serde.annotation.SerdeImport;

/**
 * Domain records the API returns as they are. Declared here so the domain carries no
 * serialisation annotations: how a record looks on the wire is the HTTP layer's business.
 */
@SerdeImport(DecisionRecord.class)
@SerdeImport(ProxyAuditLog.Connection.class)
@SerdeImport(Approval.Vote.class)
final class DomainViews {
    private DomainViews() {
    }
}
