package dev.ephemera.legacy.proxy.pg;

import static dev.ephemera.legacy.proxy.pg.StringprepTables.L_CAT;
import static dev.ephemera.legacy.proxy.pg.StringprepTables.MAPPED_TO_NOTHING;
import static dev.ephemera.legacy.proxy.pg.StringprepTables.NON_ASCII_SPACE;
import static dev.ephemera.legacy.proxy.pg.StringprepTables.PROHIBITED;
import static dev.ephemera.legacy.proxy.pg.StringprepTables.RAND_AL_CAT;
import static dev.ephemera.legacy.proxy.pg.StringprepTables.UNASSIGNED;

import java.text.Normalizer;

/**
 * SASLprep (RFC 4013), the stringprep profile (RFC 3454) that SCRAM applies to passwords: map
 * non-ASCII spaces to SPACE and drop the characters mapped to nothing, normalise with NFKC, then
 * refuse prohibited characters, unassigned code points (for stored strings) and ill-formed
 * bidirectional text. NFKC comes from the JDK's current Unicode tables, as PostgreSQL uses its own
 * current ones; the two differ from Unicode 3.2 only for characters A.1 lists as unassigned.
 */
final class SaslPrep {

    /** Which reading of the profile applies. */
    enum Reading {
        /** RFC 4013 for a stored string: unassigned code points are refused (RFC 3454 section 7). */
        STORED,
        /** RFC 4013 for a query: unassigned code points pass through. */
        QUERY,
        /**
         * PostgreSQL's {@code pg_saslprep}, which builds every SCRAM verifier it stores: unassigned
         * code points refused, a string that maps to nothing refused, and the checks run on the
         * mapped string before normalisation rather than on the output, so {@code <U+05D0>™<U+05D0>}
         * passes (™ is bidi class ON, its NFKC "TM" is L) and U+0340 is refused (C.8, though its
         * NFKC U+0300 is not). PostgreSQL also passes pure ASCII through unchecked; refusing an ASCII
         * control here ends the same way, since the caller then falls back to the input unchanged.
         */
        POSTGRESQL;

        boolean checksOutput() {
            return this != POSTGRESQL;
        }

        boolean allowsUnassigned() {
            return this == QUERY;
        }

        boolean allowsEmpty() {
            return this != POSTGRESQL;
        }
    }

    /** What preparing a string gave. */
    sealed interface Result {
    }

    /** The prepared string; never shown, it is usually a password. */
    record Prepared(String value) implements Result {
        @Override
        public String toString() {
            return "Prepared[value=<hidden>]";
        }
    }

    /** The string may not be prepared; names the rule, never the string. */
    record Refused(Violation violation) implements Result {
    }

    enum Violation {
        /** A character of RFC 4013 section 2.3 (tables C.1.2 and C.2.1 to C.9). */
        PROHIBITED,
        /** A code point unassigned in Unicode 3.2 (table A.1). */
        UNASSIGNED,
        /** RandALCat text that also holds LCat, or does not start and end with RandALCat (RFC 3454 section 6). */
        BIDI,
        /** Nothing left after mapping (PostgreSQL only). */
        EMPTY
    }

    private SaslPrep() {
    }

    static Result prepare(String input, Reading reading) {
        StringBuilder mapped = new StringBuilder(input.length());
        input.codePoints().forEach(c -> {
            // U+200B is in both C.1.2 and B.1; the space mapping wins, as in PostgreSQL.
            if (NON_ASCII_SPACE.contains(c)) {
                mapped.append(' ');
            } else if (!MAPPED_TO_NOTHING.contains(c)) {
                mapped.appendCodePoint(c);
            }
        });
        if (mapped.isEmpty() && !reading.allowsEmpty()) {
            return new Refused(Violation.EMPTY);
        }
        String normalised = Normalizer.normalize(mapped, Normalizer.Form.NFKC);
        Violation violation = violation(reading.checksOutput() ? normalised : mapped.toString(), reading);
        return violation == null ? new Prepared(normalised) : new Refused(violation);
    }

    /**
     * The password whose UTF-8 bytes PostgreSQL salted and hashed into the SCRAM verifier it
     * stored ({@code ALTER ROLE ... PASSWORD}): the SASLprep of it, or, where PostgreSQL's SASLprep
     * refuses it, the password unchanged. The proxy's password is neither a query nor a stored
     * string of its own: it must reproduce that verifier, so it follows PostgreSQL's reading,
     * which treats the password as stored (a query's leniency on unassigned code points would
     * normalise a password PostgreSQL hashed raw, and the login would fail).
     */
    static String postgresScramPassword(String password) {
        return switch (prepare(password, Reading.POSTGRESQL)) {
            case Prepared prepared -> prepared.value();
            case Refused refused -> password;
        };
    }

    private static Violation violation(String text, Reading reading) {
        int[] codePoints = text.codePoints().toArray();
        boolean randAl = false;
        boolean left = false;
        for (int c : codePoints) {
            if (PROHIBITED.contains(c)) {
                return Violation.PROHIBITED;
            }
            if (!reading.allowsUnassigned() && UNASSIGNED.contains(c)) {
                return Violation.UNASSIGNED;
            }
            randAl |= RAND_AL_CAT.contains(c);
            left |= L_CAT.contains(c);
        }
        if (randAl && (left || !RAND_AL_CAT.contains(codePoints[0]) || !RAND_AL_CAT.contains(codePoints[codePoints.length - 1]))) {
            return Violation.BIDI;
        }
        return null;
    }
}
