package dev.ephemera.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.crypto.UnsealKey;
import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.escrow.EscrowedSecret;
import dev.ephemera.legacy.rotation.LdapAccountDriver;
import dev.ephemera.legacy.rotation.RotationException;
import dev.ephemera.legacy.rotation.Rotator;
import dev.ephemera.storage.RocksStore;
import dev.ephemera.storage.SealedStore;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Rotation of an LDAP service account against a real (UnboundID in-memory) LDAP server. */
class LdapRotationTest {
    private static final String ADMIN = "cn=vault-admin";
    private static final String ADMIN_PASSWORD = "admin-" + SecretGenerator.password(20);
    private static final AtomicInteger NEXT = new AtomicInteger();

    @TempDir
    Path dir;
    InMemoryDirectoryServer ldap;
    SealedStore store;
    EscrowStore escrow;
    String dn;

    @BeforeEach
    void start() throws Exception {
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig("dc=example,dc=org");
        config.addAdditionalBindCredentials(ADMIN, ADMIN_PASSWORD);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", 0));
        config.setSchema(null); // the test entries need no schema checks
        ldap = new InMemoryDirectoryServer(config);
        ldap.startListening();
        ldap.add("dn: dc=example,dc=org", "objectClass: top", "objectClass: domain", "dc: example");
        dn = "uid=svc-" + NEXT.incrementAndGet() + ",dc=example,dc=org";
        String initial = SecretGenerator.password(24);
        ldap.add("dn: " + dn, "objectClass: top", "objectClass: account", "uid: svc", "userPassword: " + initial);
        store = SealedStore.initialize(RocksStore.open(dir.resolve("db")), UnsealKey.generate());
        escrow = new EscrowStore(store, InstantSource.system());
        escrow.create("default", "svc", "ldap", Map.of("dn", dn), initial);
    }

    @AfterEach
    void stop() {
        store.close();
        ldap.shutDown(true);
    }

    @ParameterizedTest
    @EnumSource(LdapAccountDriver.Mode.class)
    void afterARotationTheOldPasswordFailsAndTheNewOneWorks(LdapAccountDriver.Mode mode) throws Exception {
        String old = current().current().value();

        Rotator.Outcome outcome = rotator(mode).rotate("default", "svc");

        assertThat(outcome).isInstanceOf(Rotator.Outcome.Rotated.class);
        assertThat(canBind(current().current().value())).isTrue();
        assertThat(canBind(old)).isFalse();
    }

    @Test
    void aCrashAfterTheDirectoryChangedIsSettledToTheNewPassword() throws Exception {
        LdapAccountDriver driver = driver(LdapAccountDriver.Mode.PASSWORD_MODIFY);
        EscrowedSecret pending = escrow.recordPending(current(), SecretGenerator.password(32));
        driver.apply(pending.target(), pending.pending().value());

        EscrowedSecret settled = rotator(LdapAccountDriver.Mode.PASSWORD_MODIFY).settle("default", "svc");

        assertThat(settled.current().value()).isEqualTo(pending.pending().value());
        assertThat(canBind(settled.current().value())).isTrue();
    }

    @Test
    void anAccountThatDoesNotExistFailsWithoutLooping() throws Exception {
        escrow.create("default", "ghost", "ldap", Map.of("dn", "uid=ghost,dc=example,dc=org"), "whatever-" + SecretGenerator.password(16));
        Rotator.Outcome outcome = rotator(LdapAccountDriver.Mode.REPLACE).rotate("default", "ghost");
        assertThat(outcome).isInstanceOfSatisfying(Rotator.Outcome.Failed.class, f -> assertThat(f.reason()).contains("no such object"));
    }

    private Rotator rotator(LdapAccountDriver.Mode mode) throws RotationException {
        LdapAccountDriver driver = driver(mode);
        return new Rotator(escrow, name -> name.equals("ldap") ? driver : null, 3);
    }

    private LdapAccountDriver driver(LdapAccountDriver.Mode mode) throws RotationException {
        return new LdapAccountDriver("ldap://127.0.0.1:" + ldap.getListenPort(), ADMIN, ADMIN_PASSWORD, mode);
    }

    private EscrowedSecret current() {
        return escrow.find("default", "svc").orElseThrow();
    }

    private boolean canBind(String password) {
        try (LDAPConnection connection = new LDAPConnection("127.0.0.1", ldap.getListenPort())) {
            connection.bind(dn, password);
            return true;
        } catch (LDAPException e) {
            return false;
        }
    }
}
