package dev.ephemera.server.backend;

import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.util.ssl.SSLUtil;
import dev.ephemera.lease.backend.BackendException;
import java.security.GeneralSecurityException;

/** Checks, before an LDAP backend is stored, that its admin account can bind. */
final class LdapBind {
    private LdapBind() {
    }

    static void verify(BackendConfig config) throws BackendException {
        try {
            LDAPURL url = new LDAPURL(config.connectionUrl());
            LDAPConnectionOptions options = new LDAPConnectionOptions();
            options.setConnectTimeoutMillis(5_000);
            options.setResponseTimeoutMillis(5_000);
            try (LDAPConnection connection = "ldaps".equals(url.getScheme())
                    ? new LDAPConnection(new SSLUtil().createSSLSocketFactory(), options, url.getHost(), url.getPort())
                    : new LDAPConnection(options, url.getHost(), url.getPort())) {
                connection.bind(config.username(), config.password());
            }
        } catch (LDAPException e) {
            throw new BackendException("cannot bind to " + config.connectionUrl() + " as " + config.username() + ": "
                    + e.getResultCode(), false);
        } catch (GeneralSecurityException e) {
            throw new BackendException("cannot set up TLS to " + config.connectionUrl(), false);
        }
    }
}
