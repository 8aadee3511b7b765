package dev.ephemera.legacy.proxy.pg;

import dev.ephemera.legacy.proxy.ProxyRefusedException;
import java.util.Optional;

/**
 * The vault's side of admission: turns the lease token an agent presented as its PostgreSQL
 * password into the upstream login that lease grants. Called on a virtual thread, so it may block.
 */
@FunctionalInterface
public interface PgProxyAuthenticator {
    /**
     * @param user the user name the agent sent (informational: the upstream user comes from the lease)
     * @param database the database the agent asked for
     * @param leaseToken the secret the agent presented; never log it
     * @param clientAddress the agent's address, for policy and audit
     * @throws ProxyRefusedException when the token grants no such connection; its message reaches the agent
     */
    PgUpstream authenticate(String user, String database, String leaseToken, String clientAddress) throws ProxyRefusedException;

    /**
     * The login a session opened with, with the password its account has now. A rotation since the
     * session began would otherwise keep its revocation from logging in to end the session's backend.
     * Empty when the account is no longer known.
     */
    default Optional<PgUpstream> refreshed(PgUpstream opened) {
        return Optional.empty();
    }
}
