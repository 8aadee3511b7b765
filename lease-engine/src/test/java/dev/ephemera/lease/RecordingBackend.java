package dev.ephemera.lease;

import dev.ephemera.lease.backend.BackendException;
import dev.ephemera.lease.backend.Credential;
import dev.ephemera.lease.backend.IssueRequest;
import dev.ephemera.lease.backend.LeaseBackend;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Failure injection for the backend SPI: it keeps the credentials it "created" in a set (the
 * contract under test is the engine's, the real PostgreSQL backend is tested in vault-server) and
 * fails a chosen number of revocations, or every one, or holds revocations at a gate.
 */
final class RecordingBackend implements LeaseBackend {
    final Set<String> live = ConcurrentHashMap.newKeySet();
    final AtomicInteger revokeCalls = new AtomicInteger();
    final Map<String, Instant> validUntil = new ConcurrentHashMap<>();
    volatile int failuresBeforeRevokeSucceeds;
    volatile boolean failIssue;
    /** When set, each revocation takes a permit first: the test decides how many get through, and when. */
    volatile Semaphore revokeGate;
    final Map<String, AtomicInteger> revocationsByCredential = new ConcurrentHashMap<>();
    volatile Consumer<IssueRequest> beforeIssue = r -> { };

    @Override
    public Map<String, String> prepare(IssueRequest request) {
        return Map.of("name", "cred-" + request.leaseId());
    }

    @Override
    public Credential issue(IssueRequest request, Map<String, String> handle) throws BackendException {
        beforeIssue.accept(request);
        live.add(handle.get("name"));
        if (failIssue) {
            throw new BackendException("issue refused", false);
        }
        validUntil.put(handle.get("name"), request.expiresAt());
        return new Credential("test", Map.of("secret", "s3cret-" + request.leaseId()));
    }

    @Override
    public void renew(String role, Map<String, String> handle, Instant expiresAt) {
        validUntil.put(handle.get("name"), expiresAt);
    }

    @Override
    public void revoke(String role, Map<String, String> handle) throws BackendException {
        revokeCalls.incrementAndGet();
        Semaphore gate = revokeGate;
        if (gate != null) {
            try {
                gate.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("interrupted", true);
            }
        }
        if (failuresBeforeRevokeSucceeds > 0) {
            failuresBeforeRevokeSucceeds--;
            throw new BackendException("backend down", true);
        }
        live.remove(handle.get("name"));
        revocationsByCredential.computeIfAbsent(handle.get("name"), n -> new AtomicInteger()).incrementAndGet();
    }
}
