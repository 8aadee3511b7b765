package dev.ephemera.legacy.rotation;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.escrow.EscrowedSecret;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates escrowed secrets so that no crash loses one: a fresh password is recorded as pending
 * (durably) before the target is changed, and becomes current only once the target took it. A
 * rotation found pending at the next attempt is settled first by asking the target which password
 * it accepts. Every attempt draws a new password — an attempt that failed may have reached the
 * target, so its password is never reused — and attempts stop after {@code maxAttempts} with the
 * secret marked failing, to be retried on the next schedule or by an operator.
 */
public final class Rotator {
    private static final Logger log = LoggerFactory.getLogger(Rotator.class);
    private static final int PASSWORD_LENGTH = 32;

    private final EscrowStore escrow;
    private final Function<String, RotationDriver> drivers;
    private final int maxAttempts;

    public Rotator(EscrowStore escrow, Function<String, RotationDriver> drivers, int maxAttempts) {
        this.escrow = escrow;
        this.drivers = drivers;
        this.maxAttempts = maxAttempts;
    }

    /** What a rotation ended with. */
    public sealed interface Outcome {
        EscrowedSecret secret();

        record Rotated(EscrowedSecret secret, int attempts) implements Outcome {}

        record Failed(EscrowedSecret secret, int attempts, String reason) implements Outcome {}
    }

    /** Rotates now: settles an interrupted rotation, then tries up to {@code maxAttempts} fresh passwords. */
    public synchronized Outcome rotate(String tenant, String id) throws RotationException {
        EscrowedSecret secret = settle(tenant, id);
        RotationDriver driver = driver(secret);
        String reason = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            EscrowedSecret pending = escrow.recordPending(secret, SecretGenerator.password(PASSWORD_LENGTH));
            try {
                driver.apply(pending.target(), pending.pending().value());
                EscrowedSecret rotated = escrow.confirm(pending);
                log.info("escrowed secret {} (tenant {}) rotated to version {} after {} attempts", id, tenant,
                        rotated.current().number(), attempt);
                return new Outcome.Rotated(rotated, attempt);
            } catch (RotationException e) {
                reason = e.getMessage();
                // The target may have taken it before failing to answer: ask before giving up on it.
                secret = settleAfterFailure(pending, driver, reason, attempt == maxAttempts);
                if (secret.current().number() == pending.pending().number()) {
                    return new Outcome.Rotated(secret, attempt);
                }
            }
        }
        log.error("escrowed secret {} (tenant {}) failed to rotate {} times; it keeps version {}: {}", id, tenant, maxAttempts,
                secret.current().number(), reason);
        return new Outcome.Failed(secret, maxAttempts, reason);
    }

    /**
     * Brings a secret left pending by a crash to a single current version: the pending one if the
     * target accepts it, otherwise the current one.
     */
    public synchronized EscrowedSecret settle(String tenant, String id) throws RotationException {
        EscrowedSecret secret = escrow.find(tenant, id)
                .orElseThrow(() -> new RotationException("no escrowed secret " + id));
        if (secret.pending() == null) {
            return secret;
        }
        RotationDriver driver = driver(secret);
        if (driver.accepts(secret.target(), secret.pending().value())) {
            log.warn("escrowed secret {} (tenant {}): interrupted rotation to version {} had reached the target; confirmed",
                    id, tenant, secret.pending().number());
            return escrow.confirm(secret);
        }
        log.warn("escrowed secret {} (tenant {}): interrupted rotation to version {} had not reached the target; dropped",
                id, tenant, secret.pending().number());
        return escrow.abandon(secret, "interrupted rotation did not reach the target", false);
    }

    private EscrowedSecret settleAfterFailure(EscrowedSecret pending, RotationDriver driver, String reason, boolean last)
            throws RotationException {
        boolean reached;
        try {
            reached = driver.accepts(pending.target(), pending.pending().value());
        } catch (RotationException unreachable) {
            // Cannot tell: keep it pending, so the next attempt or a restart settles it first.
            throw new RotationException(reason + "; and the target cannot be asked whether it took the new password", unreachable);
        }
        return reached ? escrow.confirm(pending) : escrow.abandon(pending, reason, last);
    }

    private RotationDriver driver(EscrowedSecret secret) throws RotationException {
        RotationDriver driver = drivers.apply(secret.driver());
        if (driver == null) {
            throw new RotationException("no rotation driver '" + secret.driver() + "' for escrowed secret " + secret.id());
        }
        return driver;
    }
}
