package dev.ephemera.server.domain.escrow;

import dev.ephemera.legacy.checkout.AccountLibrary;
import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.rotation.DualAccountRotation;
import dev.ephemera.legacy.rotation.RotationScheduler;
import dev.ephemera.legacy.rotation.Rotator;
import dev.ephemera.storage.SealedStore;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.InstantSource;

/** The legacy-adapters components, over the vault's sealed store. */
@Factory
class EscrowFactory {

    @Singleton
    EscrowStore escrowStore(SealedStore store, InstantSource clock, SecretWatch watch) {
        return new EscrowStore(store, clock, watch);
    }

    @Singleton
    Rotator rotator(EscrowStore escrow, RotationDrivers drivers, EscrowConfiguration configuration) {
        return new Rotator(escrow, drivers, configuration.rotationAttempts());
    }

    @Singleton
    AccountLibrary accountLibrary(SealedStore store, EscrowStore escrow, Rotator rotator, InstantSource clock) {
        return new AccountLibrary(store, escrow, rotator, clock);
    }

    /** The account a pair switched away from keeps its password for {@code overlap}, for consumers that read it just before. */
    @Singleton
    DualAccountRotation dualAccountRotation(SealedStore store, EscrowStore escrow, Rotator rotator, InstantSource clock,
                                            EscrowConfiguration configuration) {
        return new DualAccountRotation(store, escrow, rotator, clock, configuration.dualOverlap());
    }

    /**
     * One rotation at a time, {@code gap} apart: two accounts never rotate at the same instant. A
     * planned pair is an entry too, so each entry goes through {@link DualAccounts#rotate}.
     */
    @Singleton
    RotationScheduler rotationScheduler(DualAccounts pairs, InstantSource clock,
                                        EscrowConfiguration configuration) {
        return new RotationScheduler(pairs::rotate, clock, configuration.rotationGap());
    }
}
