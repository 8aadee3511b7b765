package dev.ephemera.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;

/** Sample replies and objects shared by the tests. Nothing here opens a connection. */
final class Fixtures {

    static final String PASSWORD = "s3cr3t-Pa55word-xyz";
    static final String TASK_TOKEN = "task-token-abc123.def456";
    static final String WORKLOAD_TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJl";

    static final String TASK_STARTED = """
            {"task_id":"task_1","agent_id":"demo-agent","objective":"summarise Q3 orders","state":"active",
             "task_token":"%s","issued_at":"2026-11-22T12:00:00Z","expires_at":"2026-11-22T12:15:00Z"}
            """.formatted(TASK_TOKEN);

    static final String LEASE_ISSUED = """
            {"lease_id":"lease_1","backend":"demo","role":"readonly","task_id":"task_1","state":"active",
             "issued_at":"2026-11-22T12:00:00Z","expires_at":"2026-11-22T12:05:00Z",
             "max_expires_at":"2026-11-22T12:15:00Z",
             "credential":{"type":"postgresql","username":"eph_readonly_1","password":"%s",
                           "jdbc_url":"jdbc:postgresql://127.0.0.1:5432/postgres"}}
            """.formatted(PASSWORD);

    static final String LEASE_INFO = """
            {"lease_id":"lease_1","backend":"demo","role":"readonly","task_id":"task_1","state":"revoking",
             "issued_at":"2026-11-22T12:00:00Z","expires_at":"2026-11-22T12:10:00Z",
             "max_expires_at":"2026-11-22T12:15:00Z"}
            """;

    private Fixtures() {
    }

    /** A transport aimed at a port nothing listens on; only used where no request is sent. */
    static HttpTransport transport() {
        return new HttpTransport(URI.create("http://127.0.0.1:9"), Duration.ofSeconds(1), HttpClient.newHttpClient());
    }

    static TaskInfo taskInfo() {
        return new TaskInfo("task_1", "demo-agent", "summarise Q3 orders", TaskState.ACTIVE,
                Instant.parse("2026-11-22T12:00:00Z"), Instant.parse("2026-11-22T12:15:00Z"));
    }

    static Task task() {
        return new Task(transport(), taskInfo(), TASK_TOKEN);
    }

    static LeaseInfo leaseInfo() {
        return new LeaseInfo("lease_1", "demo", "readonly", "task_1", LeaseState.ACTIVE,
                Instant.parse("2026-11-22T12:00:00Z"), Instant.parse("2026-11-22T12:05:00Z"),
                Instant.parse("2026-11-22T12:15:00Z"));
    }

    static Lease lease() {
        return new Lease(task(), leaseInfo(),
                new PostgresCredential("eph_readonly_1", PASSWORD, "jdbc:postgresql://127.0.0.1:5432/postgres"));
    }
}
