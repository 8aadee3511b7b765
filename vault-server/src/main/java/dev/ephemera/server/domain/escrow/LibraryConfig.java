package dev.ephemera.server.domain.escrow;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A library of service accounts (escrowed secrets) that tasks check out one at a time, as leases. */
public record LibraryConfig(String tenant, String name, List<String> accounts, Duration defaultTtl, Duration maxTtl,
                            Instant updatedAt) {
    public LibraryConfig {
        accounts = List.copyOf(accounts);
    }
}
