package dev.ephemera.legacy.proxy;

/**
 * The vault will not carry this connection. The message is shown to the client, so it says why in
 * terms the agent can act on and never carries a secret.
 */
public final class ProxyRefusedException extends Exception {
    public ProxyRefusedException(String message) {
        super(message, null, false, false);
    }
}
