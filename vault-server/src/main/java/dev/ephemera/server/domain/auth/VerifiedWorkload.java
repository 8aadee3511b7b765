package dev.ephemera.server.domain.auth;

import java.time.Instant;

/** A workload token that passed every check: who issued it, whom it names, until when. */
public record VerifiedWorkload(String issuerName, String subject, String tokenId, Instant expiresAt) {
}
