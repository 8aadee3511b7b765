package dev.ephemera.bench;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.legacy.postgres.PostgresQuoting;
import dev.ephemera.legacy.proxy.ProxyAudit;
import dev.ephemera.legacy.proxy.ProxyLease;
import dev.ephemera.legacy.proxy.ProxyRefusedException;
import dev.ephemera.legacy.proxy.pg.PgProxyServer;
import dev.ephemera.legacy.proxy.pg.PgUpstream;
import dev.ephemera.server.domain.tls.SelfSignedIdentity;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * pgbench against an embedded PostgreSQL (SCRAM logins on TCP, TLS on), directly and through the
 * credential-injecting proxy, alternating run by run so that machine noise spreads over all legs.
 * Legs: direct without TLS, direct with TLS (the fair baseline: the agent's leg is encrypted either
 * way), through the proxy (TLS to the proxy, plain TCP on to PostgreSQL) and, when installed, the
 * peers PgBouncer (TLS, session pooling) and HAProxy (a plain TCP relay, compared with direct
 * without TLS: the floor of any hop on the machine). Workloads:
 * TPC-B-like (the default script, 7 statements a transaction) and select-only ({@code -S}).
 * <pre>java -cp bench/target/benchmarks.jar dev.ephemera.bench.PgProxyRun [seconds [rounds [clients [durable|fast [shared|pinned]]]]]</pre>
 */
public final class PgProxyRun {
    private static final String PGBENCH = "/usr/bin/pgbench";
    private static final String ROLE = "bench_app";
    private static final String DATABASE = "bench";
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");

    private PgProxyRun() {
    }

    /** One way pgbench reaches the database: port, password, sslmode, and the direct leg it is compared with. */
    private record Leg(String name, int port, String password, String sslMode, String baseline) {
    }

    private static final String DIRECT_PLAIN = "direct, no TLS";
    private static final String DIRECT_TLS = "direct, TLS";

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        // "durable": PostgreSQL's own default, commits wait for the WAL flush; "fast": the embedded
        // server's test default (synchronous_commit off), which leaves all three processes CPU-bound.
        boolean durable = args.length <= 3 || !"fast".equals(args[3]);
        // "pinned": PostgreSQL and pgbench on CPU 0, the proxies on CPU 1 — the deployed shape, where a
        // proxy brings its own CPU, so every leg gives the database and the client the same core.
        boolean pinned = args.length > 4 && "pinned".equals(args[4]);
        Path dir = Files.createTempDirectory("ephemera-pgproxy-");
        // One certificate for both TLS servers (the proxy and, for the direct TLS leg, PostgreSQL), so
        // that both legs pay for the same handshake and cipher.
        SelfSignedIdentity tls = SelfSignedIdentity.issue("localhost", Duration.ofDays(1));
        Path certificate = dir.resolve("server.crt");
        Path key = dir.resolve("server.key");
        tls.writePem(certificate, key);
        String password = SecretGenerator.token("esc_");
        String leaseToken = SecretGenerator.token("lt_");
        AtomicLong relayed = new AtomicLong();
        try (EmbeddedPostgres postgres = startPostgres(dir.resolve("data"), certificate, key, password, durable);
             PgProxyServer proxy = new PgProxyServer(tls.serverContext(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     (user, database, token, client) -> {
                         if (!token.equals(leaseToken)) {
                             throw new ProxyRefusedException("no live lease for this token");
                         }
                         return new PgUpstream("127.0.0.1", postgres.getPort(), DATABASE, ROLE, password,
                                 new ProxyLease("bench", "task-1", "agent-1", "lease-1", "pg/bench"));
                     }, countingAudit(relayed))) {
            proxy.start();
            if (pinned) {
                pin(ProcessHandle.current().pid(), PROXY_CPU);
                pin(Long.parseLong(Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).getFirst().strip()), DATABASE_CPU);
            }
            List<Leg> legs = new ArrayList<>(List.of(
                    new Leg(DIRECT_PLAIN, postgres.getPort(), password, "disable", null),
                    new Leg(DIRECT_TLS, postgres.getPort(), password, "require", null),
                    new Leg("proxy, TLS", proxy.port(), leaseToken, "require", DIRECT_TLS)));
            Optional<PeerProcess> bouncer = PgBouncerPeer.start(dir, postgres.getPort(), DATABASE, ROLE, password, leaseToken,
                    certificate, key);
            bouncer.ifPresent(peer -> legs.add(new Leg("pgbouncer, TLS", peer.port(), leaseToken, "require", DIRECT_TLS)));
            Optional<PeerProcess> relay = HaproxyPeer.start(dir, postgres.getPort());
            relay.ifPresent(peer -> legs.add(new Leg("haproxy tcp, no TLS", peer.port(), password, "disable", DIRECT_PLAIN)));
            if (pinned) {
                if (bouncer.isPresent()) {
                    pin(bouncer.get().pid(), PROXY_CPU);
                }
                if (relay.isPresent()) {
                    pin(relay.get().pid(), PROXY_CPU);
                }
            }
            pgbenchCpu = pinned ? DATABASE_CPU : -1;
            System.out.printf("PostgreSQL on port %d (synchronous_commit %s), proxy on port %d; pgbench -c %d -j 2 -T %d, %d rounds%s%n",
                    postgres.getPort(), durable ? "on" : "off", proxy.port(), clients, seconds, rounds,
                    pinned ? "; PostgreSQL and pgbench pinned to CPU 0, the proxies to CPU 1" : "");
            pgbench(legs.get(0), "-i", "-s", "10", "-q");
            for (String workload : List.of("tpcb-like", "select-only")) {
                Map<Leg, List<Double>> figures = new LinkedHashMap<>();
                legs.forEach(leg -> figures.put(leg, new ArrayList<>()));
                for (int round = 1; round <= rounds; round++) {
                    for (Leg leg : legs) {
                        List<String> options = new ArrayList<>(List.of("-c", String.valueOf(clients), "-j", "2", "-T", String.valueOf(seconds)));
                        if (workload.equals("select-only")) {
                            options.add("-S");
                        }
                        CpuTime before = CpuTime.now();
                        double tps = tps(pgbench(leg, options.toArray(String[]::new)));
                        CpuTime used = CpuTime.now().minus(before);
                        figures.get(leg).add(tps);
                        System.out.printf("%-12s round %d  %-15s %10.1f tps   machine busy %.2f cores, this JVM (the proxy) %.1f us CPU per transaction%n",
                                workload, round, leg.name(), tps, used.machineCores(), used.jvmMicros() / (tps * seconds));
                    }
                }
                report(workload, figures);
            }
            System.out.printf("bytes relayed by the proxy (both directions): %,d%n", relayed.get());
            bouncer.ifPresent(PeerProcess::close);
            relay.ifPresent(PeerProcess::close);
        }
    }

    /** Each leg's mean, and each relayed leg's ratio to the direct leg it stands beside (same TLS or none). */
    private static void report(String workload, Map<Leg, List<Double>> figures) {
        Map<String, Double> means = new LinkedHashMap<>();
        figures.forEach((leg, values) -> means.put(leg.name(), mean(values)));
        StringBuilder line = new StringBuilder(workload).append(" means:");
        means.forEach((name, tps) -> line.append(String.format(" %s %.1f;", name, tps)));
        for (Leg leg : figures.keySet()) {
            if (leg.baseline() != null) {
                line.append(String.format(" %s / %s %.3f;", leg.name(), leg.baseline(), means.get(leg.name()) / means.get(leg.baseline())));
            }
        }
        System.out.println(line);
    }

    private static EmbeddedPostgres startPostgres(Path data, Path certificate, Path key, String password, boolean durable)
            throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setServerConfig("max_connections", "120") // pgbench clients of a direct leg beside PgBouncer's pool of 20
                .setServerConfig("synchronous_commit", durable ? "on" : "off")
                .setServerConfig("ssl", "on")
                .setServerConfig("ssl_cert_file", certificate.toString())
                .setServerConfig("ssl_key_file", key.toString())
                .start();
        try (Connection connection = postgres.getPostgresDatabase().getConnection(); Statement statement = connection.createStatement()) {
            try (var rows = statement.executeQuery("SELECT version()")) {
                rows.next();
                System.out.println(rows.getString(1));
            }
            PostgresQuoting.requireStandardStrings(connection);
            statement.execute("CREATE ROLE " + PostgresQuoting.identifier(ROLE) + " LOGIN PASSWORD " + PostgresQuoting.literal(password));
            statement.execute("CREATE DATABASE " + PostgresQuoting.identifier(DATABASE) + " OWNER " + PostgresQuoting.identifier(ROLE));
            // Trust only on the Unix socket (the embedded server's own checks); TCP logins need SCRAM.
            Files.writeString(data.resolve("pg_hba.conf"), """
                    local all all trust
                    host all all 127.0.0.1/32 scram-sha-256
                    """);
            statement.execute("SELECT pg_reload_conf()");
        }
        return postgres;
    }

    private static final int DATABASE_CPU = 0;
    private static final int PROXY_CPU = 1;
    private static int pgbenchCpu = -1;

    /** Every thread of the process (and what it forks from now on) on that CPU only. */
    private static void pin(long pid, int cpu) throws IOException, InterruptedException {
        Process taskset = new ProcessBuilder("taskset", "-a", "-p", "-c", String.valueOf(cpu), String.valueOf(pid))
                .redirectErrorStream(true).start();
        String output = new String(taskset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (taskset.waitFor() != 0) {
            throw new IllegalStateException("taskset failed for pid " + pid + ": " + output);
        }
    }

    private static String pgbench(Leg leg, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (pgbenchCpu >= 0) {
            command.addAll(List.of("taskset", "-c", String.valueOf(pgbenchCpu)));
        }
        command.addAll(List.of(PGBENCH, "-h", "127.0.0.1", "-p", String.valueOf(leg.port()), "-U", ROLE));
        command.addAll(List.of(options));
        command.add(DATABASE);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PGPASSWORD", leg.password());
        builder.environment().put("PGSSLMODE", leg.sslMode());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IllegalStateException("pgbench failed on " + leg.name() + ":\n" + output);
        }
        return output;
    }

    private static double tps(String output) {
        Matcher matcher = TPS.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("no tps in pgbench output:\n" + output);
        }
        return Double.parseDouble(matcher.group(1));
    }

    /** CPU consumed so far by the whole machine (from /proc/stat) and by this JVM, which runs the proxy. */
    private record CpuTime(long machineBusyTicks, long machineTotalTicks, long jvmNanos) {
        static CpuTime now() throws IOException {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < cpu.length; i++) {
                total += Long.parseLong(cpu[i]);
            }
            long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
            long jvm = ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos();
            return new CpuTime(total - idle, total, jvm);
        }

        CpuTime minus(CpuTime earlier) {
            return new CpuTime(machineBusyTicks - earlier.machineBusyTicks, machineTotalTicks - earlier.machineTotalTicks, jvmNanos - earlier.jvmNanos);
        }

        double machineCores() {
            return Runtime.getRuntime().availableProcessors() * (double) machineBusyTicks / machineTotalTicks;
        }

        double jvmMicros() {
            return jvmNanos / 1_000.0;
        }
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static ProxyAudit countingAudit(AtomicLong relayed) {
        return new ProxyAudit() {
            @Override
            public void opened(String connectionId, String protocol, ProxyLease lease, String client) {
            }

            @Override
            public void closed(String connectionId, String protocol, ProxyLease lease, long bytesFromClient, long bytesToClient, String reason) {
                relayed.addAndGet(bytesFromClient + bytesToClient);
            }

            @Override
            public void refused(String protocol, String client, String reason) {
                System.out.println("proxy refused a connection: " + reason);
            }
        };
    }
}
