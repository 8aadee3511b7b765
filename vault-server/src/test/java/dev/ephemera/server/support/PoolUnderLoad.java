package dev.ephemera.server.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ephemera.client.RotatingDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A HikariCP pool of four over a {@link RotatingDataSource}, queried ({@code SELECT current_user})
 * from several threads while a test changes the secret underneath. Every rotation soft-evicts the
 * pool, so new physical connections keep logging in while passwords change; what went through, who
 * it ran as and what failed are counted.
 */
public final class PoolUnderLoad implements AutoCloseable {
    /** What the clients saw between start and stop. */
    public record Result(long queries, List<Throwable> failures, Set<String> users) {}

    private final HikariDataSource pool;
    private final AtomicInteger evictions = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong queries = new AtomicLong();
    private final AtomicLong queriesAtEviction = new AtomicLong();
    private final Set<String> users = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> clients = new ArrayList<>();

    private PoolUnderLoad(String name, RotatingDataSource rotating, int threads) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(rotating);
        config.setPoolName(name);
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(5_000);
        pool = new HikariDataSource(config);
        rotating.onRotation(version -> {
            pool.getHikariPoolMXBean().softEvictConnections();
            queriesAtEviction.set(queries.get());
            evictions.incrementAndGet();
        });
        for (int i = 0; i < threads; i++) {
            clients.add(Thread.ofPlatform().name(name + "-client-" + i).start(this::query));
        }
    }

    public static PoolUnderLoad start(String name, RotatingDataSource rotating, int threads) {
        return new PoolUnderLoad(name, rotating, threads);
    }

    /** Rotations the pool has been told of. */
    public int evictions() {
        return evictions.get();
    }

    /**
     * Queries that went through since the pool last evicted its connections: the pool keeps four,
     * so a few dozen of them ran on connections that logged in after that rotation.
     */
    public long queriesSinceEviction() {
        return queries.get() - queriesAtEviction.get();
    }

    public HikariDataSource pool() {
        return pool;
    }

    /** Stops the clients and says what they saw; the pool stays open until {@link #close}. */
    public Result stop() throws InterruptedException {
        running.set(false);
        for (Thread client : clients) {
            client.join();
        }
        return new Result(queries.get(), List.copyOf(failures), Set.copyOf(users));
    }

    private void query() {
        while (running.get()) {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                 ResultSet rows = s.executeQuery("SELECT current_user")) {
                rows.next();
                users.add(rows.getString(1));
                queries.incrementAndGet();
            } catch (SQLException | RuntimeException e) {
                failures.add(e);
            }
        }
    }

    @Override
    public void close() {
        running.set(false);
        pool.close();
    }
}
