package dev.ephemera.server.domain.backend;

import java.time.Duration;
import java.util.List;

/** What a lease drawn from {@code backend}/{@code name} creates, renews and revokes, and for how long. */
public record RoleConfig(String backend, String name, List<String> creationStatements,
                         List<String> renewStatements, List<String> revocationStatements,
                         Duration defaultTtl, Duration maxTtl) {
}
