package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Durations;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ephemera.legacy.checkout.CheckOut;
import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.legacy.rotation.DualAccountRotation;
import dev.ephemera.server.domain.escrow.EscrowEntries;
import dev.ephemera.server.domain.escrow.EscrowEntry;
import dev.ephemera.server.domain.escrow.LibraryConfig;
import dev.ephemera.server.domain.escrow.RotationPlan;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Bodies of the escrow, consumer and library API (snake_case on the wire). No view carries a value unless it says so. */
final class EscrowDtos {
    private EscrowDtos() {
    }

    @Serdeable
    record Create(String id, String backend, String account, String value, Boolean rotateNow, Rotation rotation) {
        @Override
        public String toString() {
            return "Create[id=" + id + ", backend=" + backend + ", account=" + account + ", value=redacted]";
        }
    }

    /** {@code period} (or {@code cron}), an optional daily UTC window "HH:mm", and a spread for the per-secret offset. */
    @Serdeable
    record Rotation(Object period, String cron, String windowStart, String windowEnd, Object spread) {
        RotationPlan plan(String tenant, String secretId) {
            if (cron != null && cron.length() > 200) {
                throw DomainException.invalid("cron is at most 200 characters");
            }
            try {
                RotationPlan plan = new RotationPlan(tenant, secretId, Durations.parse("period", period), cron,
                        time("window_start", windowStart), time("window_end", windowEnd), Durations.parse("spread", spread));
                plan.schedule(); // validates
                return plan;
            } catch (IllegalArgumentException e) {
                throw DomainException.invalid("rotation: " + e.getMessage());
            }
        }

        private static LocalTime time(String field, String text) {
            try {
                return text == null ? null : LocalTime.parse(text);
            } catch (DateTimeParseException e) {
                throw DomainException.invalid(field + " must be a UTC time of day such as 02:00");
            }
        }
    }

    @Serdeable
    record Value(String value) {
        @Override
        public String toString() {
            return "Value[redacted]";
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RotationView(Long periodSeconds, String cron, String windowStart, String windowEnd, Long spreadSeconds) {
        static RotationView of(RotationPlan plan) {
            return plan == null ? null : new RotationView(plan.period() == null ? null : plan.period().toSeconds(), plan.cron(),
                    plan.windowStart() == null ? null : plan.windowStart().toString(),
                    plan.windowEnd() == null ? null : plan.windowEnd().toString(),
                    plan.spread() == null ? null : plan.spread().toSeconds());
        }
    }

    /** An escrow entry as admins see it: the one place the API tells a secret from a pair. */
    sealed interface EntryView permits SecretView, PairView {
        static EntryView of(EscrowEntry entry) {
            return switch (entry) {
                case EscrowEntry.Secret secret -> SecretView.of(secret);
                case EscrowEntry.Pair pair -> PairView.of(pair);
            };
        }
    }

    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record SecretView(String id, String backend, String account, int version, Integer previousVersion, Integer pendingVersion,
                      String status, Integer failedAttempts, String lastError, Instant rotatedAt, Instant updatedAt,
                      RotationView rotation, Instant nextRotationAt, String library) implements EntryView {
        static SecretView of(EscrowEntry.Secret entry) {
            EscrowedSecret secret = entry.secret();
            return new SecretView(secret.id(), secret.driver(), EscrowDtos.account(secret), secret.current().number(),
                    secret.previous() == null ? null : secret.previous().number(),
                    secret.pending() == null ? null : secret.pending().number(),
                    secret.status().name().toLowerCase(), secret.failedAttempts() == 0 ? null : secret.failedAttempts(),
                    secret.lastError(), secret.current().createdAt(), secret.updatedAt(), RotationView.of(entry.plan()),
                    entry.nextRotation(), entry.library());
        }
    }

    /** The account a secret opens: a PostgreSQL role, an LDAP DN, or a manual secret's user name (may be absent). */
    static String account(EscrowedSecret secret) {
        return EscrowedSecret.accountOf(secret.target());
    }

    /** A rotation that took, shown as the entry it rotated. */
    sealed interface RotatedView permits Rotated, PairRotated {
        static RotatedView of(EscrowEntries.Rotation rotation) {
            return switch (EntryView.of(rotation.entry())) {
                case SecretView secret -> new Rotated(true, rotation.attempts(), secret);
                case PairView pair -> new PairRotated(true, rotation.attempts(), rotation.account(), pair);
            };
        }
    }

    @Serdeable
    record Rotated(boolean rotated, int attempts, SecretView secret) implements RotatedView {}

    @Serdeable
    record PairAsk(String id, String blue, String green) {}

    /** A blue/green pair: which escrowed account consumers use, and when the other may next be rotated. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PairView(String id, String mode, String active, String blue, String green, int version, Instant nextAllowedAt,
                    RotationView rotation, Instant nextRotationAt) implements EntryView {
        static PairView of(EscrowEntry.Pair entry) {
            DualAccountRotation.Pair pair = entry.pair();
            return new PairView(pair.id(), "dual", pair.active(), pair.blue(), pair.green(), pair.version(), entry.nextAllowed(),
                    RotationView.of(entry.plan()), entry.nextRotation());
        }
    }

    /** A pair's rotation: {@code account} is the escrowed account rotated, active when it {@code rotated}. */
    @Serdeable
    record PairRotated(boolean rotated, int attempts, String account, PairView pair) implements RotatedView {}

    /** A consumer grant: asked first with a reason, then again naming its approval. */
    @Serdeable
    record ConsumerAsk(String name, String approvalId, String reason) {}

    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ConsumerView(String consumerId, String name, String secretId, Instant createdAt, String token) {
        @Override
        public String toString() {
            return "ConsumerView[consumerId=" + consumerId + ", name=" + name + ", secretId=" + secretId + "]";
        }
    }

    /** What a consumer reads: the current version, its value, and the account it opens. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Current(String id, int version, String username, String value, Instant rotatedAt) {
        static Current of(EscrowEntries.Current current) {
            return new Current(current.id(), current.version(), current.username(), current.value(), current.since());
        }

        @Override
        public String toString() {
            return "Current[id=" + id + ", version=" + version + "]";
        }
    }

    @Serdeable
    record RevealAsk(String approvalId, String reason) {}

    @Serdeable
    record Revealed(String id, int version, String username, String value, String approvalId, List<String> approvers) {
        @Override
        public String toString() {
            return "Revealed[id=" + id + ", version=" + version + "]";
        }
    }

    @Serdeable
    record LibraryAsk(List<String> accounts, Object defaultTtl, Object maxTtl, String approvalId, String reason) {}

    @Serdeable
    record Holder(String account, String leaseId, Instant since, Instant until) {
        static Holder of(CheckOut checkOut) {
            return new Holder(checkOut.account(), checkOut.holder(), checkOut.since(), checkOut.until());
        }
    }

    @Serdeable
    record LibraryView(String name, List<String> accounts, long defaultTtlSeconds, long maxTtlSeconds, int free,
                       List<Holder> checkedOut) {
        static LibraryView of(LibraryConfig config, List<Holder> held) {
            return new LibraryView(config.name(), config.accounts(), config.defaultTtl().toSeconds(), config.maxTtl().toSeconds(),
                    config.accounts().size() - held.size(), held);
        }
    }

    @Serdeable
    record CheckOutAsk(Object ttl, String approvalId) {}
}
