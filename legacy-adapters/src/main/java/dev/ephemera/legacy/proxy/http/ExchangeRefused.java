package dev.ephemera.legacy.proxy.http;

/**
 * The proxy answers this exchange itself, with {@code status} and a JSON body naming {@code error}
 * and the message as reason. The message reaches the agent, so it never carries a secret.
 */
final class ExchangeRefused extends Exception {
    private final int status;
    private final String error;

    ExchangeRefused(int status, String error, String reason) {
        super(reason, null, false, false);
        this.status = status;
        this.error = error;
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }
}
