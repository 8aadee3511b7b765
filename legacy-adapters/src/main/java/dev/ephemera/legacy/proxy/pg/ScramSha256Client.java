package dev.ephemera.legacy.proxy.pg;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL runs it: no channel binding
 * (gs2 header {@code n,,}) and an empty user name (the server takes the startup packet's). The
 * server must prove it knows the password too: a wrong server signature fails the login. The
 * password goes through SASLprep as PostgreSQL applied it when it stored the verifier.
 */
final class ScramSha256Client {
    static final String MECHANISM = "SCRAM-SHA-256";
    private static final String GS2_HEADER = "n,,";
    /** Far above PostgreSQL's default 4096: a bound against an upstream that asks for minutes of CPU. */
    private static final int MAX_ITERATIONS = 1_000_000;
    private static final Base64.Encoder BASE64 = Base64.getEncoder();

    private final char[] password;
    private final String clientNonce;
    private final String clientFirstBare;
    private byte[] expectedServerSignature;

    /** PostgreSQL's way: an empty SCRAM user name and 18 random bytes of nonce, as libpq sends. */
    static ScramSha256Client forPostgres(String password, SecureRandom random) {
        byte[] nonce = new byte[18];
        random.nextBytes(nonce);
        return new ScramSha256Client("", password, BASE64.encodeToString(nonce));
    }

    ScramSha256Client(String user, String password, String clientNonce) {
        this.password = SaslPrep.postgresScramPassword(password).toCharArray();
        this.clientNonce = clientNonce;
        this.clientFirstBare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce;
    }

    byte[] clientFirstMessage() {
        return (GS2_HEADER + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /** Answers the server-first-message with the client proof. */
    byte[] clientFinalMessage(byte[] serverFirstMessage) throws ScramException {
        String serverFirst = new String(serverFirstMessage, StandardCharsets.UTF_8);
        String nonce = attribute(serverFirst, 0, 'r');
        byte[] salt;
        int iterations;
        try {
            salt = Base64.getDecoder().decode(attribute(serverFirst, 1, 's'));
            iterations = Integer.parseInt(attribute(serverFirst, 2, 'i'));
        } catch (IllegalArgumentException e) {
            throw new ScramException("malformed server-first-message");
        }
        if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
            throw new ScramException("server nonce does not extend the client nonce");
        }
        if (iterations < 1 || iterations > MAX_ITERATIONS || salt.length == 0) {
            throw new ScramException("iteration count or salt out of bounds");
        }
        String clientFinalWithoutProof = "c=" + BASE64.encodeToString(GS2_HEADER.getBytes(StandardCharsets.US_ASCII)) + ",r=" + nonce;
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + clientFinalWithoutProof).getBytes(StandardCharsets.UTF_8);
        try {
            byte[] saltedPassword = hi(salt, iterations);
            byte[] clientKey = hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
            byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
            byte[] proof = hmac(storedKey, authMessage);
            for (int i = 0; i < proof.length; i++) {
                proof[i] ^= clientKey[i];
            }
            expectedServerSignature = hmac(hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII)), authMessage);
            return (clientFinalWithoutProof + ",p=" + BASE64.encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 primitives missing from the JDK", e);
        }
    }

    /** Checks the server-final-message: the server's signature proves it holds the verifier. */
    void verifyServerFinal(byte[] serverFinalMessage) throws ScramException {
        if (expectedServerSignature == null) {
            throw new ScramException("server-final-message before the client proof");
        }
        String serverFinal = new String(serverFinalMessage, StandardCharsets.UTF_8);
        if (serverFinal.startsWith("e=")) {
            throw new ScramException("server rejected the proof");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(attribute(serverFinal, 0, 'v'));
        } catch (IllegalArgumentException e) {
            throw new ScramException("malformed server-final-message");
        }
        if (!MessageDigest.isEqual(signature, expectedServerSignature)) {
            throw new ScramException("server signature does not match");
        }
    }

    private byte[] hi(byte[] salt, int iterations) throws GeneralSecurityException {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, 256);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } finally {
            spec.clearPassword();
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    /** The value of the {@code index}-th comma-separated attribute, which must be named {@code name}. */
    private static String attribute(String message, int index, char name) throws ScramException {
        String[] parts = message.split(",", -1);
        if (parts.length <= index || parts[index].length() < 2 || parts[index].charAt(0) != name || parts[index].charAt(1) != '=') {
            throw new ScramException("expected attribute '" + name + "' in SCRAM message");
        }
        return parts[index].substring(2);
    }

    /** The SCRAM exchange failed; the message names the step, never a secret. */
    static final class ScramException extends Exception {
        ScramException(String message) {
            super(message, null, false, false);
        }
    }
}
