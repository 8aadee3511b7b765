package dev.ephemera.legacy.escrow;

import java.time.Instant;

/** One value of an escrowed secret. Its {@code toString} leaves the value out. */
public record SecretVersion(int number, String value, Instant createdAt) {
    @Override
    public String toString() {
        return "SecretVersion[number=" + number + ", createdAt=" + createdAt + "]";
    }
}
