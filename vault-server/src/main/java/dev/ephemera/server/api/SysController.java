package dev.ephemera.server.api;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** Unauthenticated liveness: says whether the vault is unsealed and serving, nothing more. */
@Controller("/v1/sys")
final class SysController {
    static final String VERSION = "0.1.0";
    @Get("/health")
    Dtos.Health health() {
        return new Dtos.Health(true, false, VERSION);
    }
}
