package dev.ephemera.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import dev.ephemera.server.support.VaultFixture;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code ephemera escrow …} against the real server and PostgreSQL. */
class EscrowCliTest {
    @RegisterExtension
    static final VaultFixture env = VaultFixture.withPostgres();
    static TestPostgres postgres;
    static TestVault vault;

    record Run(int status, String out, String err) {}

    static Run cli(String stdin, Map<String, String> env, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = EphemeraCli.run(args, env, new BufferedReader(new StringReader(stdin)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run admin(String stdin, String... args) throws Exception {
        return cli(stdin, Map.of("EPHEMERA_TOKEN", vault.adminToken(), "EPHEMERA_ADDR", vault.address().toString()), args);
    }

    @Test
    void anAdminEscrowsRotatesAndGrantsFromTheCommandLineWithoutTheValueInArguments() throws Exception {
        String initial = SecretGenerator.password(24);
        postgres.createLoginRole("cli_reports", initial);

        Run created = admin(initial + "\n", "escrow", "create", "cli-reports", "--backend", "pg", "--account", "cli_reports",
                "--cron", "0 3 * * *");
        assertThat(created.status()).as(created.err()).isZero();
        assertThat(created.out()).contains("\"version\" : 2").contains("0 3 * * *").doesNotContain(initial);
        assertThat(postgres.canLogIn("cli_reports", initial)).isFalse();

        assertThat(admin("", "escrow", "list").out()).contains("cli-reports");
        Run rotated = admin("", "escrow", "rotate", "cli-reports");
        assertThat(rotated.out()).contains("\"rotated\" : true");
        Run held = admin("", "escrow", "consumer", "cli-reports", "--name", "billing", "--reason", "billing reads it");
        assertThat(held.status()).as(held.err()).isZero();
        assertThat(held.out()).doesNotContain("eph_consumer_");
        String approval = new com.fasterxml.jackson.databind.ObjectMapper().readTree(held.out()).get("approval_id").asText();
        assertThat(held.err()).contains("held for approval as " + approval).contains("--approval-id " + approval);
        vault.approve(approval);
        Run consumer = admin("", "escrow", "consumer", "cli-reports", "--name", "billing", "--approval-id", approval);
        assertThat(consumer.out()).contains("eph_consumer_");
        Run reveal = admin("", "escrow", "reveal", "cli-reports", "--reason", "incident 7");
        assertThat(reveal.status()).isZero();
        assertThat(reveal.err()).contains("held for approval");
        assertThat(reveal.out()).contains("\"required_approvals\" : 2");
    }

    @Test
    void anAdminPairsTwoEscrowedRolesAndRotatesThePairByItsId() throws Exception {
        for (String role : new String[] {"cli_blue", "cli_green"}) {
            String initial = SecretGenerator.password(24);
            postgres.createLoginRole(role, initial);
            assertThat(admin(initial + "\n", "escrow", "create", role.replace('_', '-'), "--backend", "pg", "--account", role)
                    .status()).isZero();
        }
        Run paired = admin("", "escrow", "pair", "cli-app", "--blue", "cli-blue", "--green", "cli-green");
        assertThat(paired.status()).as(paired.err()).isZero();
        assertThat(paired.out()).contains("\"mode\" : \"dual\"").contains("\"active\" : \"cli-blue\"");
        assertThat(admin("", "escrow", "rotate", "cli-app").out()).contains("\"account\" : \"cli-green\"");
        assertThat(admin("", "escrow", "read", "cli-app").out()).contains("\"active\" : \"cli-green\"");
        assertThat(admin("", "escrow", "pair", "cli-app2", "--blue", "cli-blue").err()).contains("--green is required");
    }

    @Test
    void mistakesAreNamedAndRefusalsCarryTheServersReason() throws Exception {
        assertThat(cli("", Map.of(), "escrow", "list").status()).isEqualTo(2);
        Run unknown = admin("", "escrow", "frobnicate", "x");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown escrow command");
        assertThat(admin("", "escrow", "read").err()).contains("needs the secret's id");
        Run missing = admin("", "escrow", "read", "no-such-secret");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("404 not_found: no escrowed secret no-such-secret");
        assertThat(admin("", "escrow", "create", "manual-key").err()).contains("standard input");
        assertThat(admin("k-" + SecretGenerator.password(20) + "\n", "escrow", "create", "short-lived").status()).isZero();
        Run deleted = admin("", "escrow", "delete", "short-lived");
        assertThat(deleted.status()).isZero();
        assertThat(deleted.out()).contains("ok");
        assertThat(admin("", "escrow", "read", "short-lived").status()).isEqualTo(1);
        Run down = cli("", Map.of("EPHEMERA_TOKEN", "x", "EPHEMERA_ADDR", "http://127.0.0.1:1"), "escrow", "list");
        assertThat(down.status()).isEqualTo(1);
        assertThat(down.err()).contains("cannot reach the vault");
    }
}
