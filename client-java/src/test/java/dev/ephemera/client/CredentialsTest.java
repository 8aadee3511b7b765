package dev.ephemera.client;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static dev.ephemera.client.Fixtures.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CredentialsTest {

    private static Credential parse(String json) throws Exception {
        JsonNode node = Json.MAPPER.readTree(json);
        return Credentials.fromJson(node);
    }

    @Test
    void postgresqlBecomesATypedCredential() throws Exception {
        Credential credential = parse("""
                {"type":"postgresql","username":"eph_ro_1","password":"%s",
                 "jdbc_url":"jdbc:postgresql://db:5432/orders","database":"orders"}""".formatted(PASSWORD));

        assertThat(credential).isEqualTo(new PostgresCredential("eph_ro_1", PASSWORD, "jdbc:postgresql://db:5432/orders"));
        assertThat(credential.type()).isEqualTo("postgresql");
    }

    @ParameterizedTest
    @ValueSource(strings = {"username", "password", "jdbc_url"})
    void postgresqlWithoutARequiredFieldIsMalformed(String field) throws Exception {
        String json = """
                {"type":"postgresql","username":"u","password":"p","jdbc_url":"jdbc:postgresql://db/x"}"""
                .replace("\"" + field + "\"", "\"renamed\"");

        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(MalformedResponse.class)
                .hasMessage("missing field credential." + field);
    }

    @Test
    void unknownTypeBecomesAGenericCredentialKeepingEveryField() throws Exception {
        Credential credential = parse("""
                {"type":"aws_sts","access_key_id":"AKIA1","secret_access_key":"%s","ttl_seconds":900,
                 "renewable":false,"tags":{"team":"data"},"region":null}""".formatted(PASSWORD));

        assertThat(credential).isInstanceOf(GenericCredential.class);
        GenericCredential generic = (GenericCredential) credential;
        assertThat(generic.type()).isEqualTo("aws_sts");
        assertThat(generic.fields()).containsExactly(
                Map.entry("access_key_id", "AKIA1"),
                Map.entry("secret_access_key", PASSWORD),
                Map.entry("ttl_seconds", "900"),
                Map.entry("renewable", "false"),
                Map.entry("tags", "{\"team\":\"data\"}"));
    }

    @Test
    void genericFieldsAreImmutable() throws Exception {
        GenericCredential generic = (GenericCredential) parse("{\"type\":\"x\",\"k\":\"v\"}");

        assertThatThrownBy(() -> generic.fields().put("k", "w")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void missingTypeIsMalformed() {
        assertThatThrownBy(() -> parse("{\"username\":\"u\"}"))
                .isInstanceOf(MalformedResponse.class).hasMessage("missing field credential.type");
    }

    @Test
    void nonObjectCredentialIsMalformed() {
        assertThatThrownBy(() -> parse("\"" + PASSWORD + "\""))
                .isInstanceOf(MalformedResponse.class)
                .hasMessage("field credential is not an object");
    }

    @Test
    void typedAccessRefusesTheWrongTypeClearly() {
        Lease lease = new Lease(Fixtures.task(), Fixtures.leaseInfo(), new GenericCredential("aws_sts", Map.of("k", PASSWORD)));

        assertThatThrownBy(() -> lease.credential(PostgresCredential.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("lease lease_1 carries a credential of type aws_sts (GenericCredential), not PostgresCredential")
                .message().doesNotContain(PASSWORD);
        assertThat(lease.credential(GenericCredential.class).fields()).containsEntry("k", PASSWORD);
        assertThat(lease.credential(Credential.class)).isSameAs(lease.credential());
    }

    @Test
    void credentialsSwitchExhaustively() {
        Credential credential = new PostgresCredential("u", PASSWORD, "jdbc:postgresql://db/x");

        String user = switch (credential) {
            case PostgresCredential pg -> pg.username();
            case GenericCredential generic -> generic.fields().get("username");
        };

        assertThat(user).isEqualTo("u");
    }
}
