package dev.ephemera.legacy.rotation;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.extensions.PasswordModifyExtendedRequest;
import com.unboundid.ldap.sdk.extensions.PasswordModifyExtendedResult;
import com.unboundid.util.ssl.SSLUtil;
import java.security.GeneralSecurityException;
import java.util.Map;

/**
 * Rotates an LDAP account's password, binding as an administrator: with the RFC 3062 password
 * modify extended operation (the server hashes the password by its own policy), or by replacing
 * {@code userPassword} where a directory lacks it. The account is named by its DN ({@code dn} in
 * the target), parsed as a DN and never pasted into a filter.
 */
public final class LdapAccountDriver implements RotationDriver {
    /** How the new password is set. */
    public enum Mode { PASSWORD_MODIFY, REPLACE }

    private static final int TIMEOUT_MILLIS = 5_000;

    private final LDAPURL url;
    private final String adminDn;
    private final String adminPassword;
    private final Mode mode;

    public LdapAccountDriver(String url, String adminDn, String adminPassword, Mode mode) throws RotationException {
        try {
            this.url = new LDAPURL(url);
            new DN(adminDn);
        } catch (LDAPException e) {
            throw new RotationException("not an LDAP URL or DN: " + e.getResultCode());
        }
        this.adminDn = adminDn;
        this.adminPassword = adminPassword;
        this.mode = mode;
    }

    @Override
    public void apply(Map<String, String> target, String newPassword) throws RotationException {
        String dn = dn(target);
        try (LDAPConnection admin = connect()) {
            admin.bind(adminDn, adminPassword);
            if (mode == Mode.PASSWORD_MODIFY) {
                PasswordModifyExtendedResult result = (PasswordModifyExtendedResult) admin.processExtendedOperation(
                        new PasswordModifyExtendedRequest(dn, null, newPassword));
                if (result.getResultCode() != ResultCode.SUCCESS) {
                    throw new RotationException("LDAP password modify of " + dn + " failed: " + result.getResultCode());
                }
            } else {
                admin.modify(dn, new Modification(ModificationType.REPLACE, "userPassword", newPassword));
            }
        } catch (LDAPException e) {
            throw new RotationException("cannot set the password of LDAP account " + dn + ": " + e.getResultCode(), e);
        }
    }

    /** Binds as the administrator once: a backend is checked with this before it is stored. */
    public void verifyAdmin() throws RotationException {
        try (LDAPConnection admin = connect()) {
            admin.bind(adminDn, adminPassword);
        } catch (LDAPException e) {
            throw new RotationException("cannot bind to " + url + " as " + adminDn + ": " + e.getResultCode(), e);
        }
    }

    @Override
    public boolean accepts(Map<String, String> target, String password) throws RotationException {
        String dn = dn(target);
        try (LDAPConnection account = connect()) {
            account.bind(dn, password);
            return true;
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                return false;
            }
            throw new RotationException("cannot check the password of LDAP account " + dn + ": " + e.getResultCode(), e);
        }
    }

    @Override
    public boolean exists(Map<String, String> target) throws RotationException {
        String dn = dn(target);
        try (LDAPConnection admin = connect()) {
            admin.bind(adminDn, adminPassword);
            return admin.getEntry(dn, "1.1") != null;
        } catch (LDAPException e) {
            if (e.getResultCode() == ResultCode.NO_SUCH_OBJECT) {
                return false;
            }
            throw new RotationException("cannot look up LDAP account " + dn + ": " + e.getResultCode(), e);
        }
    }

    private LDAPConnection connect() throws LDAPException {
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis(TIMEOUT_MILLIS);
        options.setResponseTimeoutMillis(TIMEOUT_MILLIS);
        if ("ldaps".equals(url.getScheme())) {
            try {
                // The JVM's trust store decides; no trust-all here.
                return new LDAPConnection(new SSLUtil().createSSLSocketFactory(), options, url.getHost(), url.getPort());
            } catch (GeneralSecurityException e) {
                throw new LDAPException(ResultCode.CONNECT_ERROR, "cannot set up TLS", e);
            }
        }
        return new LDAPConnection(options, url.getHost(), url.getPort());
    }

    private static String dn(Map<String, String> target) throws RotationException {
        String dn = target.get("dn");
        if (dn == null || dn.isBlank()) {
            throw new RotationException("the target names no LDAP account (dn)");
        }
        try {
            return new DN(dn).toString();
        } catch (LDAPException e) {
            throw new RotationException("the target's dn is not an LDAP DN");
        }
    }
}
