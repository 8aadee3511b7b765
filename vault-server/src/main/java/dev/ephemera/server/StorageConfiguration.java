package dev.ephemera.server;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;

/** {@code ephemera.data-dir} and {@code ephemera.unseal-key-file}: no default, a vault needs both (the CLI's {@code --data-dir}, {@code --unseal-key-file}). */
@ConfigurationProperties("ephemera")
record StorageConfiguration(@NotNull Path dataDir, @NotNull Path unsealKeyFile) {}
