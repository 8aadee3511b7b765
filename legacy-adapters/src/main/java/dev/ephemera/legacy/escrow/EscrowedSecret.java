package dev.ephemera.legacy.escrow;

import java.time.Instant;
import java.util.Map;

/**
 * A static credential of a legacy system, held by the vault. {@code current} is what consumers
 * use; {@code previous} stays readable through an overlap; {@code pending} is a rotation that was
 * recorded but not yet confirmed applied — after a crash it says which password the target may
 * already have. {@code target} tells the rotation driver where the account lives (no secret in it:
 * the driver's own admin credential is escrowed apart).
 */
public record EscrowedSecret(String id, String tenant, String driver, Map<String, String> target, SecretVersion current,
                             SecretVersion previous, SecretVersion pending, RotationStatus status, int failedAttempts,
                             String lastError, Instant updatedAt, int lastVersion) {

    public enum RotationStatus { IDLE, ROTATING, FAILING }

    public EscrowedSecret {
        target = target == null ? Map.of() : Map.copyOf(target);
    }

    /** The account this secret logs in as: a PostgreSQL role, an LDAP DN or a username; null if it names none. */
    public String account() {
        return accountOf(target);
    }

    public static String accountOf(Map<String, String> target) {
        return target.getOrDefault("role", target.getOrDefault("dn", target.get("username")));
    }

    /** The next version number, past every version this secret has had, even abandoned ones. */
    public int nextNumber() {
        return lastVersion + 1;
    }

    EscrowedSecret withPending(SecretVersion next, Instant at) {
        return new EscrowedSecret(id, tenant, driver, target, current, previous, next, RotationStatus.ROTATING, failedAttempts,
                lastError, at, Math.max(lastVersion, next.number()));
    }

    EscrowedSecret confirmed(Instant at) {
        return new EscrowedSecret(id, tenant, driver, target, pending, current, null, RotationStatus.IDLE, 0, null, at, lastVersion);
    }

    EscrowedSecret abandoned(String error, Instant at, boolean failing) {
        return new EscrowedSecret(id, tenant, driver, target, current, previous, null,
                failing ? RotationStatus.FAILING : RotationStatus.IDLE, failedAttempts + 1, error, at, lastVersion);
    }

    @Override
    public String toString() {
        return "EscrowedSecret[id=" + id + ", tenant=" + tenant + ", driver=" + driver + ", current=" + current + ", status="
                + status + "]";
    }
}
