package dev.ephemera.legacy.proxy.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The SCRAM-SHA-256 exchange of RFC 7677 section 3, byte for byte. */
class ScramSha256ClientTest {
    private static final String CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

    @Test
    void theClientSendsTheRfcProofAndAcceptsTheRfcServerSignature() throws Exception {
        ScramSha256Client client = new ScramSha256Client("user", "pencil", CLIENT_NONCE);

        assertThat(text(client.clientFirstMessage())).isEqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        assertThat(text(client.clientFinalMessage(bytes(SERVER_FIRST)))).isEqualTo(
                "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        client.verifyServerFinal(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
    }

    /** SASLprep drops the soft hyphen (RFC 4013 section 3), so the RFC 7677 proof for "pencil" comes out. */
    @Test
    void thePasswordIsPreparedWithSaslPrep() throws Exception {
        ScramSha256Client client = new ScramSha256Client("user", "pen\u00ADcil", CLIENT_NONCE);

        assertThat(text(client.clientFinalMessage(bytes(SERVER_FIRST)))).endsWith(",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        client.verifyServerFinal(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
    }

    @Test
    void aServerThatDoesNotKnowThePasswordIsRefused() throws Exception {
        ScramSha256Client client = new ScramSha256Client("user", "pencil", CLIENT_NONCE);
        client.clientFinalMessage(bytes(SERVER_FIRST));

        assertThatThrownBy(() -> client.verifyServerFinal(bytes("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")))
                .isInstanceOf(ScramSha256Client.ScramException.class).hasMessage("server signature does not match");
        assertThatThrownBy(() -> client.verifyServerFinal(bytes("e=invalid-proof")))
                .isInstanceOf(ScramSha256Client.ScramException.class);
    }

    @Test
    void aServerNonceThatDoesNotExtendOursOrAnExcessiveIterationCountIsRefused() {
        ScramSha256Client client = new ScramSha256Client("", "pencil", CLIENT_NONCE);

        assertThatThrownBy(() -> client.clientFinalMessage(bytes("r=someoneElse123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))
                .hasMessageContaining("nonce");
        assertThatThrownBy(() -> client.clientFinalMessage(bytes("r=" + CLIENT_NONCE + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))
                .hasMessageContaining("nonce");
        assertThatThrownBy(() -> client.clientFinalMessage(bytes("r=" + CLIENT_NONCE + "x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999")))
                .hasMessageContaining("iteration");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
