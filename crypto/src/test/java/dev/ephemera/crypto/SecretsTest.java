package dev.ephemera.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Token hashing and the generated secrets, tokens and names. */
class SecretsTest {

    @Test
    void tokenHashIsStableKeyedAndHidesTheToken() {
        Keyring keyring = Keyring.generate();
        String token = SecretGenerator.token("eph_task_");

        String hash = keyring.tokenHasher().hashHex(token);

        // 32 bytes of HMAC-SHA256, after Tink's 5-byte key-id prefix.
        assertThat(hash).hasSize(2 * (5 + 32)).isEqualTo(keyring.tokenHasher().hashHex(token));
        assertThat(hash).doesNotContain(token.substring("eph_task_".length(), 20));
        assertThat(Keyring.generate().tokenHasher().hashHex(token)).as("another vault's key").isNotEqualTo(hash);
        assertThat(keyring.tokenHasher().hashHex(token + "x")).isNotEqualTo(hash);
    }

    @Test
    void matchesComparesAgainstTheStoredHash() {
        TokenHasher hasher = Keyring.generate().tokenHasher();
        byte[] stored = hasher.hash("eph_admin_abc");

        assertThat(hasher.matches("eph_admin_abc", stored)).isTrue();
        assertThat(hasher.matches("eph_admin_abd", stored)).isFalse();
        assertThat(hasher.matches("", stored)).isFalse();
    }

    @Test
    void tokensCarryTheirPrefixAnd256RandomBits() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            String token = SecretGenerator.token("eph_task_");
            assertThat(token).matches("eph_task_[A-Za-z0-9_-]{43}");
            assertThat(seen.add(token)).isTrue();
        }
    }

    @Test
    void passwordsUseTheQuoteFreeAlphabetAndMixCharacterClasses() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            String password = SecretGenerator.password(32);
            assertThat(password).hasSize(32).matches("[A-Za-z0-9._~-]+")
                    .containsPattern("[A-Z]").containsPattern("[a-z]").containsPattern("[0-9]");
            assertThat(seen.add(password)).isTrue();
        }
    }

    @Test
    void passwordLengthIsBounded() {
        assertThatThrownBy(() -> SecretGenerator.password(15)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SecretGenerator.password(129)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SecretGenerator.password(16)).hasSize(16);
    }

    @Test
    void usernamesFillTheLengthWithLowercaseAndDigits() {
        String name = SecretGenerator.username("eph_readonly_", 63);

        assertThat(name).hasSize(63).startsWith("eph_readonly_").matches("[a-z0-9_]+");
        assertThat(SecretGenerator.username("eph_readonly_", 63)).isNotEqualTo(name);
    }

    @Test
    void usernamePrefixMustBeSafeAndLeaveRoomForRandomness() {
        assertThatThrownBy(() -> SecretGenerator.username("Robert'); DROP", 63)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SecretGenerator.username("eph_", 19)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SecretGenerator.username("eph_", 20)).hasSize(20);
    }

    @Test
    void identifiersAreLowercaseBase32() {
        assertThat(SecretGenerator.identifier("lease_")).matches("lease_[0-9a-hjkmnp-tv-z]{26}");
    }
}
