package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.policy.PolicySchema;
import dev.ephemera.server.domain.policy.TenantPolicies;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.util.List;

/** Admin: the tenant's Cedar policy set, its versions, rollback, and the schema policies are written against. */
@Controller("/v1/policies")
@ExecuteOn(TaskExecutors.BLOCKING)
final class PolicyController {
    private final TenantPolicies policies;
    private final PolicySchema schema;

    PolicyController(TenantPolicies policies, PolicySchema schema) {
        this.policies = policies;
        this.schema = schema;
    }

    /** Validates against the schema and makes the text the tenant's current policy set, effective at once. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Put
    Dtos.PolicyView upload(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @Body Dtos.PolicyUpload body) {
        return Dtos.PolicyView.of(policies.upload(admin.tenant(), body.policies(), admin.name()), true);
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get
    Dtos.PolicyView current(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin) {
        return policies.currentVersion(admin.tenant()).map(v -> Dtos.PolicyView.of(v, true))
                .orElseThrow(() -> DomainException.notFound("no policy set yet: every request is denied until one is uploaded"));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/versions")
    List<Dtos.PolicyView> versions(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin) {
        return policies.versions(admin.tenant()).stream().map(v -> Dtos.PolicyView.of(v, false)).toList();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/versions/{version}")
    Dtos.PolicyView version(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @PathVariable String version) {
        return policies.version(admin.tenant(), versionNumber(version)).map(v -> Dtos.PolicyView.of(v, true))
                .orElseThrow(() -> DomainException.notFound("no policy version " + version));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/rollback")
    Dtos.PolicyView rollback(@RequestAttribute(Callers.PRINCIPAL) Principal.Admin admin, @Body Dtos.PolicyRollback body) {
        if (body.version() == null) {
            throw DomainException.invalid("version is required: the version whose policies become current again");
        }
        return Dtos.PolicyView.of(policies.rollback(admin.tenant(), body.version(), admin.name()), true);
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get(value = "/schema", produces = MediaType.TEXT_PLAIN)
    String schema() {
        return schema.text();
    }

    private static int versionNumber(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw DomainException.notFound("no policy version " + text);
        }
    }
}
