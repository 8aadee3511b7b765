package dev.ephemera.server.domain.escrow;

import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.legacy.rotation.DualAccountRotation;
import java.time.Instant;

/**
 * What an id in a tenant's escrow names: an escrowed secret, or a blue/green pair of two of them
 * (the two share one namespace). Each comes with its rotation plan and next planned rotation, both
 * absent when it has no plan.
 */
public sealed interface EscrowEntry {
    String id();

    RotationPlan plan();

    Instant nextRotation();

    /** An escrowed secret; {@code library} names the library it is an account of, if any. */
    record Secret(EscrowedSecret secret, RotationPlan plan, Instant nextRotation, String library) implements EscrowEntry {
        @Override
        public String id() {
            return secret.id();
        }
    }

    /** A blue/green pair; {@code nextAllowed} is when its inactive account may next be rotated. */
    record Pair(DualAccountRotation.Pair pair, Instant nextAllowed, RotationPlan plan, Instant nextRotation) implements EscrowEntry {
        @Override
        public String id() {
            return pair.id();
        }
    }
}
