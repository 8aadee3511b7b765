package dev.ephemera.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.crypto.UnsealKey;
import dev.ephemera.server.cli.EscrowCliTest.Run;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The command line's refusals say what is wrong in one line and exit non-zero (issue 11, item 8). */
class CliErrorsTest {
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();

    @Test
    void escrowingARoleThatDoesNotExistIsRefusedNamingItAndNothingIsStored() throws Exception {
        TestVault vault = env.vault();
        Run created = EscrowCliTest.cli("a-password\n", Map.of("EPHEMERA_TOKEN", vault.adminToken(),
                        "EPHEMERA_ADDR", vault.address().toString()),
                "escrow", "create", "ghost", "--backend", "pg", "--account", "no_such_role");
        assertThat(created.status()).as(created.out()).isNotZero();
        assertThat(created.err()).contains("404").contains("PostgreSQL role 'no_such_role' does not exist on backend 'pg'");
        vault.call("GET", "/v1/escrow/ghost", vault.adminToken(), null).expect(404);
    }

    @Test
    void anUnreachableVaultIsSaidInWordsNotNull() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0)) {
            port = closed.getLocalPort();
        }
        Run listed = EscrowCliTest.cli("", Map.of("EPHEMERA_TOKEN", "eph_admin_x", "EPHEMERA_ADDR", "http://127.0.0.1:" + port),
                "escrow", "list");
        assertThat(listed.status()).isNotZero();
        assertThat(listed.err().strip()).isEqualTo("ephemera: cannot reach the vault at http://127.0.0.1:" + port + "/: connection refused");
    }

    @Test
    void aDataDirectoryInUseIsOneLineAndANonZeroExit(@TempDir Path dataDir) throws Exception {
        try (TestVault running = TestVault.start(dataDir)) {
            Run second = EscrowCliTest.cli("", Map.of(), "server", "--data-dir", dataDir.toString(), "--unseal-key-file",
                    dataDir.resolve("unseal.key").toString(), "--port", "0");
            assertThat(second.status()).isEqualTo(1);
            assertThat(second.err().lines().toList()).hasSize(1).first().asString()
                    .startsWith("ephemera: cannot start: ").contains("in use by another Ephemera process");
        }
    }

    @Test
    void aWrongUnsealKeyIsOneLineAndANonZeroExit(@TempDir Path dataDir) throws Exception {
        try (TestVault vault = TestVault.start(dataDir)) {
            vault.stop();
        }
        Path wrongKey = dataDir.resolve("wrong.key");
        try (UnsealKey key = UnsealKey.generate()) {
            Files.writeString(wrongKey, key.toBase64());
        }
        Run server = EscrowCliTest.cli("", Map.of(), "server", "--data-dir", dataDir.toString(), "--unseal-key-file",
                wrongKey.toString(), "--port", "0");
        assertThat(server.status()).isEqualTo(1);
        assertThat(server.err().lines().toList()).containsExactly(
                "ephemera: cannot start: cannot unseal: the unseal key is not the one that wrapped this keyring");

        Files.writeString(wrongKey, "not base64 at all!");
        Run garbled = EscrowCliTest.cli("", Map.of(), "server", "--data-dir", dataDir.toString(), "--unseal-key-file",
                wrongKey.toString(), "--port", "0");
        assertThat(garbled.status()).isEqualTo(1);
        assertThat(garbled.err().lines().toList()).containsExactly("ephemera: cannot start: the unseal key is not valid base64");
    }
}
