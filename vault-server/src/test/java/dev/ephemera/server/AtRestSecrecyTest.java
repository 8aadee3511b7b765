package dev.ephemera.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ephemera.server.support.PostgresDatabase;
import dev.ephemera.server.support.TestPostgres;
import dev.ephemera.server.support.TestVault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** No issued password and no token is ever written in plaintext: the data directory is grepped for them. */
class AtRestSecrecyTest {
    @RegisterExtension
    static final PostgresDatabase database = new PostgresDatabase();
    static TestPostgres postgres;

    @TempDir
    Path dataDir;

    @Test
    void theDataDirectoryHoldsNoSecretInPlaintext() throws Exception {
        List<String> secrets = new ArrayList<>();
        try (TestVault vault = TestVault.start(dataDir)) {
            vault.configurePostgres("pg", postgres.jdbcUrl(), postgres.adminUser(), postgres.adminPassword());
            secrets.add(postgres.adminPassword());
            secrets.add(vault.adminToken());
            String workloadToken = vault.workloadToken();
            secrets.add(workloadToken);

            JsonNode task = vault.call("POST", "/v1/tasks", workloadToken, Map.of("objective", "grep me", "ttl", 300)).expect(201).json();
            String taskToken = task.path("task_token").asText();
            secrets.add(taskToken);
            for (int i = 0; i < 3; i++) {
                JsonNode lease = vault.call("POST", "/v1/leases", taskToken, Map.of("backend", "pg", "role", "readonly")).expect(201).json();
                secrets.add(lease.path("credential").path("password").asText());
            }
            vault.call("POST", "/v1/tasks/self/end", taskToken, null).expect(200);

            // Escrowed values (every version), consumer tokens and proxy lease tokens.
            String apiKey = "vendor-" + dev.ephemera.crypto.SecretGenerator.password(24);
            secrets.add(apiKey);
            vault.call("POST", "/v1/escrow", vault.adminToken(), Map.of("id", "vendor-key", "value", apiKey)).expect(201);
            String nextKey = "vendor-" + dev.ephemera.crypto.SecretGenerator.password(24);
            secrets.add(nextKey);
            vault.call("PUT", "/v1/escrow/vendor-key/value", vault.adminToken(), Map.of("value", nextKey)).expect(200);
            secrets.add(vault.approved("POST", "/v1/escrow/vendor-key/consumers", Map.of("name", "app"))
                    .expect(201).json().path("token").asText());
        }

        assertThat(secrets).allSatisfy(secret -> assertThat(secret).hasSizeGreaterThan(15));
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dataDir.resolve("rocksdb"))) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).as("RocksDB wrote files").isNotEmpty();
        for (Path file : files) {
            byte[] content = Files.readAllBytes(file);
            for (String secret : secrets) {
                assertThat(indexOf(content, secret.getBytes(StandardCharsets.UTF_8)))
                        .as("a secret in plaintext in " + file.getFileName()).isEqualTo(-1);
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) throws IOException {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
