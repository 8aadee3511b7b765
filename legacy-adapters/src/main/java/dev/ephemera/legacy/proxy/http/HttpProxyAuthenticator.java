package dev.ephemera.legacy.proxy.http;

import dev.ephemera.legacy.proxy.ProxyRefusedException;

/** Turns the lease token an agent presents into the upstream and credential its exchange may use. */
@FunctionalInterface
public interface HttpProxyAuthenticator {
    /**
     * Called once per HTTP exchange, on the proxy's virtual threads.
     *
     * @throws ProxyRefusedException when the token is unknown, expired, revoked or not for this proxy;
     *     its message reaches the agent
     */
    HttpUpstream authenticate(String leaseToken, String clientAddress) throws ProxyRefusedException;
}
