package dev.ephemera.bench;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.model.policy.PolicySet;
import com.cedarpolicy.value.CedarList;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.IpAddress;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import dev.ephemera.crypto.UnsealKey;
import dev.ephemera.server.domain.agent.Agent;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.server.domain.policy.Decision;
import dev.ephemera.server.domain.policy.DecisionLog;
import dev.ephemera.server.domain.policy.Intent;
import dev.ephemera.server.domain.policy.PolicyAction;
import dev.ephemera.server.domain.policy.PolicyDecider;
import dev.ephemera.server.domain.policy.PolicySchema;
import dev.ephemera.server.domain.policy.Sensitivity;
import dev.ephemera.server.domain.policy.TenantPolicies;
import dev.ephemera.storage.RocksStore;
import dev.ephemera.storage.SealedStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one policy decision on the lease path (issue #4). {@code decideLease} is what a lease
 * request pays for its decision: entities and context built, the tenant's cached policy set
 * evaluated by Cedar, the record built (it is then written in the lease's own batch, so it adds no
 * write of its own). {@code decideAndKeep} writes the record alone, durably, as a denial or a
 * renewal does. {@code cedarOnly} is the Cedar call alone on a prebuilt request. Run with
 * {@code -t 2} for the two-core figure.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PolicyDecisionBenchmark {
    /** A tenant policy set of the size and shape an operator writes: a dozen rules over intent. */
    static final String POLICIES = """
            @id("start-any") permit(principal, action == Ephemera::Action::"StartTask", resource);
            @id("readers") permit(principal, action in [Ephemera::Action::"Lease", Ephemera::Action::"Renew"], resource is Ephemera::Role)
              when { resource.name == "readonly" && context.sensitivity_level <= 2 };
            @id("sql-writers") permit(principal, action == Ephemera::Action::"Lease", resource is Ephemera::Role)
              when { resource.name == "writer" && context.tools.contains("sql") && context.ttl_seconds <= 900 };
            @id("billing-only-owner") permit(principal, action == Ephemera::Action::"Lease", resource in Ephemera::Backend::"billing")
              when { principal.owner like "*@finance.example" };
            @id("no-restricted") forbid(principal, action, resource is Ephemera::Role) when { context.sensitivity == "restricted" };
            @id("no-long-leases") forbid(principal, action == Ephemera::Action::"Lease", resource) when { context.ttl_seconds > 14400 };
            @id("shallow-delegation") forbid(principal, action, resource) when { context.delegation_depth > 3 };
            @id("office-network") forbid(principal, action == Ephemera::Action::"Lease", resource in Ephemera::Backend::"payroll")
              unless { context.source_ip.isInRange(ip("10.0.0.0/8")) };
            @id("no-shell-with-secrets") forbid(principal, action, resource is Ephemera::Role)
              when { context.tools.contains("shell") && context.sensitivity_level >= 2 };
            @id("night-freeze") forbid(principal, action == Ephemera::Action::"Lease", resource in Ephemera::Backend::"prod")
              when { context.hour_utc < 6 };
            """;

    @State(Scope.Benchmark)
    public static class Vault {
        Path dir;
        SealedStore store;
        PolicyDecider decider;
        DecisionLog log;
        Agent agent;
        Intent intent;
        BasicAuthorizationEngine cedar;
        AuthorizationRequest request;
        PolicySet policySet;
        Set<Entity> entities;

        @Setup(Level.Trial)
        public void open() throws Exception {
            dir = Files.createTempDirectory("ephemera-policy-bench-");
            store = SealedStore.initialize(RocksStore.open(dir), UnsealKey.generate());
            Documents documents = new Documents(store);
            TenantPolicies policies = new TenantPolicies(documents, new PolicySchema(), InstantSource.system());
            policies.upload("default", POLICIES, "bench");
            log = new DecisionLog(documents);
            decider = new PolicyDecider(policies, log, InstantSource.system());
            agent = new Agent("report-bot", "default", "alice@example.com", "monthly reports", "spire",
                    "spiffe://example.org/report-bot", Agent.AgentStatus.ACTIVE, Instant.now(), null, List.of(), null, null, null, 2);
            intent = new Intent("task_bench", "sum the month's orders", List.of("sql", "charts"), Sensitivity.INTERNAL, 300,
                    List.of("report-bot"), "10.1.2.3");
            if (!(decider.role(PolicyAction.LEASE, agent, "pg", "readonly", intent) instanceof Decision.Permit)) {
                throw new IllegalStateException("the benchmark's request should be permitted");
            }
            prepareCedarOnly();
        }

        private void prepareCedarOnly() throws Exception {
            cedar = new BasicAuthorizationEngine();
            policySet = PolicySet.parsePolicies(POLICIES);
            policySet.cache();
            EntityTypeName tenantType = EntityTypeName.parse("Ephemera::Tenant").orElseThrow();
            Entity tenant = new Entity(tenantType.of("default"));
            Entity backend = new Entity(EntityTypeName.parse("Ephemera::Backend").orElseThrow().of("pg"), Map.of(), Set.of(tenant.getEUID()));
            Entity role = new Entity(EntityTypeName.parse("Ephemera::Role").orElseThrow().of("pg/readonly"),
                    Map.of("backend", new PrimString("pg"), "name", new PrimString("readonly")), Set.of(backend.getEUID()));
            Entity principal = new Entity(EntityTypeName.parse("Ephemera::Agent").orElseThrow().of("report-bot"),
                    Map.of("owner", new PrimString("alice@example.com"), "purpose", new PrimString("monthly reports")),
                    Set.of(tenant.getEUID()));
            entities = Set.of(tenant, backend, role, principal);
            Map<String, Value> context = Map.ofEntries(
                    Map.entry("task_id", new PrimString("task_bench")), Map.entry("objective", new PrimString("sum the month's orders")),
                    Map.entry("tools", new CedarList(List.of(new PrimString("sql"), new PrimString("charts")))),
                    Map.entry("sensitivity", new PrimString("internal")), Map.entry("sensitivity_level", new PrimLong(1)),
                    Map.entry("ttl_seconds", new PrimLong(300)), Map.entry("delegation_depth", new PrimLong(0)),
                    Map.entry("actor_chain", new CedarList(List.of(new PrimString("report-bot")))),
                    Map.entry("now_epoch_seconds", new PrimLong(Instant.now().getEpochSecond())), Map.entry("hour_utc", new PrimLong(12)),
                    Map.entry("source_ip", new IpAddress("10.1.2.3")));
            request = new AuthorizationRequest(principal.getEUID(), EntityTypeName.parse("Ephemera::Action").orElseThrow().of("Lease"),
                    role.getEUID(), Optional.of(context), Optional.empty(), false);
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            store.close();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Benchmark
    public Decision decideLease(Vault vault) {
        return vault.decider.role(PolicyAction.LEASE, vault.agent, "pg", "readonly", vault.intent);
    }

    @Benchmark
    public Decision decideAndKeep(Vault vault) {
        Decision decision = vault.decider.role(PolicyAction.LEASE, vault.agent, "pg", "readonly", vault.intent);
        vault.log.keep(decision);
        return decision;
    }

    @Benchmark
    public Object cedarOnly(Vault vault) throws Exception {
        return vault.cedar.isAuthorized(vault.request, vault.policySet, vault.entities);
    }
}
