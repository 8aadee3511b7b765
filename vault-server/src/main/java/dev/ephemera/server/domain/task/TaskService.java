package dev.ephemera.server.domain.task;

import dev.ephemera.crypto.SecretGenerator;
import dev.ephemera.lease.Lease;
import dev.ephemera.lease.LeaseEngine;
import dev.ephemera.server.domain.agent.Agent;
import dev.ephemera.server.domain.agent.AgentTasks;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Names;
import dev.ephemera.server.domain.auth.TokenRecord;
import dev.ephemera.server.domain.auth.Tokens;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.server.domain.policy.Decision;
import dev.ephemera.server.domain.policy.DecisionLog;
import dev.ephemera.server.domain.policy.PolicyDecider;
import dev.ephemera.server.domain.policy.Sensitivity;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/** Opens and ends tasks. Ending a task revokes every lease it holds and ends every task delegated from it. */
@Singleton
public final class TaskService implements AgentTasks {
    private static final int MAX_OBJECTIVE_LENGTH = 2_000;
    private static final long END_WAIT_SECONDS = 5;
    private static final int MAX_TOOLS = 32;
    private static final int MAX_ROLES = 32;
    private static final Pattern ROLE_REF = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}/[a-z0-9][a-z0-9._-]{0,62}");

    private final Documents documents;
    private final Tokens tokens;
    private final PolicyDecider policy;
    private final DecisionLog decisions;
    private final LeaseEngine leases;
    private final InstantSource clock;
    private final Duration defaultTtl;
    private final Duration maxTtl;

    TaskService(Documents documents, Tokens tokens, PolicyDecider policy, DecisionLog decisions, LeaseEngine leases,
                InstantSource clock, TaskConfiguration configuration) {
        this.documents = documents;
        this.tokens = tokens;
        this.policy = policy;
        this.decisions = decisions;
        this.leases = leases;
        this.clock = clock;
        this.defaultTtl = configuration.defaultTtl();
        this.maxTtl = configuration.maxTtl();
    }

    public record Started(Task task, String token) {
        @Override
        public String toString() {
            return "Started[task=" + task.id() + "]";
        }
    }

    /** What an agent asks for when it opens a task (or a sub-task is offered to it). */
    public record Opening(String objective, Duration ttl, List<String> tools, Sensitivity sensitivity, List<String> roles,
                          String sourceAddress) {}

    /** Opens a root task if the tenant's policy permits this agent this intent; the decision is kept either way. */
    public Started start(Agent agent, Opening opening) {
        Duration ttl = opening.ttl() == null ? defaultTtl : opening.ttl();
        if (ttl.compareTo(maxTtl) > 0) {
            throw DomainException.invalid("ttl (" + ttl.toSeconds() + "s) exceeds the maximum task ttl (" + maxTtl.toSeconds() + "s)");
        }
        Instant now = clock.instant();
        return open(new Task(SecretGenerator.identifier("task_"), agent.tenant(), agent.id(), objective(opening), Task.TaskState.ACTIVE,
                now, now.plus(ttl), null, tools(opening), opening.sensitivity(), roles(opening), null, null), agent, ttl, opening);
    }

    /** Opens a sub-task accepted by the agent it was offered to: scope and chain were settled by the offer. */
    Started startDelegated(Agent agent, Task parent, Opening opening, Instant expiresAt) {
        Instant now = clock.instant();
        List<String> chain = new ArrayList<>(parent.actorChain());
        chain.add(agent.id());
        Task task = new Task(SecretGenerator.identifier("task_"), agent.tenant(), agent.id(), objective(opening),
                Task.TaskState.ACTIVE, now, expiresAt, null, tools(opening), opening.sensitivity(), roles(opening), parent.id(), chain);
        return open(task, agent, Duration.between(now, expiresAt), opening);
    }

    private Started open(Task task, Agent agent, Duration ttl, Opening opening) {
        Decision.Permit permit = policy.permitStartTask(agent, task.intent(ttl, opening.sourceAddress()));
        String token = tokens.newTaskToken();
        // The task, its indexes, its token and the decision that permitted it become durable together.
        Batch batch = Batch.create()
                .put(Keys.of("task", task.id()), documents.encode(task))
                .put(Keys.of("agent-task", task.tenant(), task.agentId(), task.id()), new byte[0])
                .put(tokens.recordKey(token), documents.encode(
                        new TokenRecord(TokenRecord.Kind.TASK, task.id(), task.tenant(), task.expiresAt())));
        if (task.parentTaskId() != null) {
            batch.put(Keys.of("task-child", task.parentTaskId(), task.id()), new byte[0]);
        }
        documents.write(decisions.addTo(batch, permit));
        return new Started(task, token);
    }

    public Optional<Task> find(String taskId) {
        return documents.get(Keys.of("task", taskId), Task.class);
    }

    /** The task behind a task token, refused unless it is still active. */
    public Task requireActive(String taskId) {
        Task task = find(taskId).orElseThrow(() -> DomainException.unauthenticated("invalid or expired token"));
        Task.TaskState state = task.stateAt(clock.instant());
        if (state != Task.TaskState.ACTIVE) {
            throw DomainException.forbidden("task " + task.id() + " has " + (state == Task.TaskState.ENDED ? "ended" : "expired"));
        }
        return task;
    }

    public record Ended(Task task, int leasesRevoking, int subTasksEnded) {}

    /**
     * Ends the task and every task delegated from it, revoking all their leases. Idempotent: ending an
     * ended task revokes whatever is still live and reports it again.
     */
    public Ended end(String taskId) {
        Task task = find(taskId).orElseThrow(() -> DomainException.notFound("no task " + taskId));
        List<CompletableFuture<Lease>> revocations = new ArrayList<>();
        int ended = endTree(task, clock.instant(), revocations);
        awaitBriefly(revocations);
        return new Ended(find(taskId).orElse(task), revocations.size(), ended - 1);
    }

    @Override
    public AgentTasks.Ended endAllOf(String tenant, String agentId) {
        byte[] prefix = Keys.prefix("agent-task", tenant, agentId);
        List<String> taskIds = new ArrayList<>();
        documents.scanKeys(prefix, key -> taskIds.add(Keys.toString(key).substring(prefix.length)));
        List<CompletableFuture<Lease>> revocations = new ArrayList<>();
        int tasks = 0;
        Instant now = clock.instant();
        for (String taskId : taskIds) {
            Optional<Task> task = find(taskId);
            if (task.isPresent()) {
                tasks += endTree(task.get(), now, revocations);
            }
            documents.delete(Keys.of("agent-task", tenant, agentId, taskId));
        }
        return new AgentTasks.Ended(tasks, revocations.size());
    }

    /** Ends a task and its descendants, depth first; returns how many were still active. */
    private int endTree(Task task, Instant now, List<CompletableFuture<Lease>> revocations) {
        int ended = 0;
        if (task.state() == Task.TaskState.ACTIVE) {
            documents.put(Keys.of("task", task.id()), task.ended(now));
            ended++;
        }
        revocations.addAll(leases.revokeTask(task.id()));
        byte[] prefix = Keys.prefix("task-child", task.id());
        List<String> children = new ArrayList<>();
        documents.scanKeys(prefix, key -> children.add(Keys.toString(key).substring(prefix.length)));
        for (String child : children) {
            Optional<Task> found = find(child);
            if (found.isPresent()) {
                ended += endTree(found.get(), now, revocations);
            }
        }
        return ended;
    }

    private static String objective(Opening opening) {
        String objective = opening.objective();
        if (objective == null || objective.isBlank()) {
            throw DomainException.invalid("objective is required: say what the task is for");
        }
        if (objective.length() > MAX_OBJECTIVE_LENGTH) {
            throw DomainException.invalid("objective is longer than " + MAX_OBJECTIVE_LENGTH + " characters");
        }
        return objective.strip();
    }

    static List<String> tools(Opening opening) {
        List<String> tools = opening.tools() == null ? List.of() : opening.tools().stream().distinct().toList();
        if (tools.size() > MAX_TOOLS) {
            throw DomainException.invalid("at most " + MAX_TOOLS + " tools may be declared");
        }
        tools.forEach(tool -> Names.require("tool", tool));
        return tools;
    }

    static List<String> roles(Opening opening) {
        List<String> roles = opening.roles() == null ? List.of() : opening.roles().stream().distinct().toList();
        if (roles.size() > MAX_ROLES) {
            throw DomainException.invalid("at most " + MAX_ROLES + " roles may be declared");
        }
        for (String role : roles) {
            if (role == null || !ROLE_REF.matcher(role).matches()) {
                throw DomainException.invalid("roles are written backend/role, e.g. \"orders-db/reader\"");
            }
        }
        return roles;
    }

    /** Answers once the backend confirmed, or after a bounded wait while revocation goes on. */
    private static void awaitBriefly(List<CompletableFuture<Lease>> revocations) {
        try {
            CompletableFuture.allOf(revocations.toArray(CompletableFuture[]::new)).get(END_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Revocation carries on in the engine, durably; the caller can look the leases up.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
