package dev.ephemera.server.domain.escrow;

import dev.ephemera.legacy.checkout.AccountLibrary;
import dev.ephemera.legacy.escrow.EscrowStore;
import dev.ephemera.legacy.rotation.DualAccountRotation;
import dev.ephemera.legacy.rotation.RotationScheduler;
import dev.ephemera.legacy.rotation.Rotator;
import dev.ephemera.storage.SealedStore;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.InstantSource;

/** The legacy-adapters components, over the vault's sealed store. */
@Factory
class EscrowFactory {

    @Singleton
    EscrowStore escrowStore(SealedStore store, InstantSource clock, SecretWatch watch) {
        return new EscrowStore(store, clock, watch);
    }

    @Singleton
    Rotator rotator(EscrowStore escrow, RotationDrivers drivers,
                    @Value("${ephemera.escrow.rotation-attempts:3}") int attempts) {
        return new Rotator(escrow, drivers, attempts);
    }

    @Singleton
    AccountLibrary accountLibrary(SealedStore store, EscrowStore escrow, Rotator rotator, InstantSource clock) {
        return new AccountLibrary(store, escrow, rotator, clock);
    }

    /** The account a pair switched away from keeps its password for {@code overlap}, for consumers that read it just before. */
    @Singleton
    DualAccountRotation dualAccountRotation(SealedStore store, EscrowStore escrow, Rotator rotator, InstantSource clock,
                                            @Value("${ephemera.escrow.dual-overlap:1m}") Duration overlap) {
        return new DualAccountRotation(store, escrow, rotator, clock, overlap);
    }

    /**
     * One rotation at a time, {@code gap} apart: two accounts never rotate at the same instant. A
     * planned pair is an entry too, so each entry goes through {@link DualAccounts#rotate}.
     */
    @Singleton
    RotationScheduler rotationScheduler(DualAccounts pairs, InstantSource clock,
                                        @Value("${ephemera.escrow.rotation-gap:1s}") Duration gap) {
        return new RotationScheduler(pairs::rotate, clock, gap);
    }
}
