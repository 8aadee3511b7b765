package dev.ephemera.server.api;

import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.proxy.ProxyServers;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/**
 * What anyone may ask of the vault: liveness (whether it is unsealed and serving, nothing more) and
 * the certificate of its PostgreSQL proxy. Operators' calls under the same path are in
 * {@link OperatorController}.
 */
@Controller("/v1/sys")
final class SysController {
    static final String VERSION = "0.1.0";

    private final ProxyServers proxies;

    SysController(ProxyServers proxies) {
        this.proxies = proxies;
    }

    @CalledBy(CalledBy.Caller.ANYONE)
    @Get("/health")
    Dtos.Health health() {
        return new Dtos.Health(true, false, VERSION);
    }

    /**
     * Unauthenticated: the certificate that verifies the PostgreSQL proxy, in PEM, for clients'
     * {@code sslmode=verify-full sslrootcert=…}. It is public by nature; 404 when the proxy is off.
     */
    @CalledBy(CalledBy.Caller.ANYONE)
    @Get("/proxy-ca")
    HttpResponse<String> proxyCa() {
        return proxies.postgresAuthorityPem()
                .map(pem -> HttpResponse.ok(pem).contentType("application/x-pem-file"))
                .orElseThrow(() -> DomainException.notFound("the PostgreSQL proxy is not running (ephemera.proxy.postgres.port)"));
    }
}
