package dev.ephemera.legacy.checkout;

import java.time.Instant;

/** Who holds an account of a library, until when. No password in it: the escrow holds that. */
public record CheckOut(String tenant, String library, String account, String holder, Instant since, Instant until) {
}
