package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.auth.Principal;
import dev.ephemera.server.domain.policy.PolicySchema;
import dev.ephemera.server.domain.policy.TenantPolicies;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
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
    private final Callers callers;

    PolicyController(TenantPolicies policies, PolicySchema schema, Callers callers) {
        this.policies = policies;
        this.schema = schema;
        this.callers = callers;
    }

    /** Validates against the schema and makes the text the tenant's current policy set, effective at once. */
    @CalledBy(CalledBy.Caller.ADMIN)
    @Put
    Dtos.PolicyView upload(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @Body Dtos.PolicyUpload body) {
        Principal.Admin admin = callers.admin(authorization);
        return Dtos.PolicyView.of(policies.upload(admin.tenant(), body.policies(), admin.name()), true);
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get
    Dtos.PolicyView current(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        Principal.Admin admin = callers.admin(authorization);
        return policies.currentVersion(admin.tenant()).map(v -> Dtos.PolicyView.of(v, true))
                .orElseThrow(() -> DomainException.notFound("no policy set yet: every request is denied until one is uploaded"));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/versions")
    List<Dtos.PolicyView> versions(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        Principal.Admin admin = callers.admin(authorization);
        return policies.versions(admin.tenant()).stream().map(v -> Dtos.PolicyView.of(v, false)).toList();
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get("/versions/{version}")
    Dtos.PolicyView version(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @PathVariable String version) {
        Principal.Admin admin = callers.admin(authorization);
        return policies.version(admin.tenant(), versionNumber(version)).map(v -> Dtos.PolicyView.of(v, true))
                .orElseThrow(() -> DomainException.notFound("no policy version " + version));
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Post("/rollback")
    Dtos.PolicyView rollback(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization, @Body Dtos.PolicyRollback body) {
        Principal.Admin admin = callers.admin(authorization);
        if (body.version() == null) {
            throw DomainException.invalid("version is required: the version whose policies become current again");
        }
        return Dtos.PolicyView.of(policies.rollback(admin.tenant(), body.version(), admin.name()), true);
    }

    @CalledBy(CalledBy.Caller.ADMIN)
    @Get(value = "/schema", produces = MediaType.TEXT_PLAIN)
    String schema(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        callers.admin(authorization);
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
