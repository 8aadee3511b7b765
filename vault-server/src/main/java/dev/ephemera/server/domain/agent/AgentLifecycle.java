package dev.ephemera.server.domain.agent;

import dev.ephemera.server.domain.core.DomainException;
import jakarta.inject.Singleton;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves agents through their lifecycle and keeps the promise that goes with it: suspending or
 * offboarding an agent, or seeing it present a manifest it was not approved with, ends every task
 * it has and revokes every lease at once.
 */
@Singleton
public final class AgentLifecycle {
    private static final Logger log = LoggerFactory.getLogger(AgentLifecycle.class);
    private static final int MAX_REASON = 500;

    private final AgentRegistry agents;
    private final AgentTasks tasks;

    AgentLifecycle(AgentRegistry agents, AgentTasks tasks) {
        this.agents = agents;
        this.tasks = tasks;
    }

    /** An agent after a transition, with what was ended on the way. */
    public record Transition(Agent agent, int tasksEnded, int leasesRevoking) {}

    public synchronized Agent activate(String tenant, String id) {
        Agent agent = agents.require(tenant, id);
        switch (agent.status()) {
            case OFFBOARDED -> throw DomainException.conflict("agent " + id + " is offboarded, which is final");
            case ACTIVE -> {
                return agent;
            }
            case REGISTERED, SUSPENDED -> {
                Agent active = agent.withStatus(Agent.AgentStatus.ACTIVE, null);
                agents.save(active);
                return active;
            }
        }
        throw new IllegalStateException(agent.status().name());
    }

    public Transition suspend(String tenant, String id, String reason) {
        return stop(tenant, id, Agent.AgentStatus.SUSPENDED, reason);
    }

    public Transition offboard(String tenant, String id, String reason) {
        return stop(tenant, id, Agent.AgentStatus.OFFBOARDED, reason);
    }

    /** Approves a manifest digest: it becomes the agent's, and a change waiting for approval is settled. */
    public synchronized Agent approveManifest(String tenant, String id, String digest) {
        Agent agent = agents.require(tenant, id);
        if (digest == null || !digest.matches("sha256:[0-9a-f]{64}")) {
            throw DomainException.invalid("digest must be sha256: followed by 64 lowercase hex digits");
        }
        Agent approved = agent.withManifest(digest, null);
        agents.save(approved);
        return approved;
    }

    /**
     * Checks an agent opening a task: its registered tools bound the declared ones, and the manifest
     * it presents must be the approved one. A different manifest ends everything it holds and is
     * kept for an admin to approve; until then the agent cannot act.
     */
    public void admitTask(Agent agent, String presentedDigest, List<String> declaredTools) {
        if (!agent.tools().isEmpty() && declaredTools != null) {
            declaredTools.stream().filter(tool -> !agent.tools().contains(tool)).findFirst().ifPresent(tool -> {
                throw DomainException.forbidden("tool '" + tool + "' is not among agent " + agent.id() + "'s registered tools");
            });
        }
        if (agent.manifestDigest() == null) {
            return;
        }
        if (presentedDigest == null) {
            throw DomainException.forbidden("agent " + agent.id() + " must present its manifest_digest");
        }
        if (!presentedDigest.equals(agent.manifestDigest())) {
            if (!presentedDigest.matches("sha256:[0-9a-f]{64}")) {
                throw DomainException.invalid("manifest_digest must be sha256: followed by 64 lowercase hex digits");
            }
            AgentTasks.Ended ended = manifestChanged(agent, presentedDigest);
            throw DomainException.forbidden("agent " + agent.id() + " presented manifest " + presentedDigest
                    + ", not its approved one: its " + ended.tasks() + " tasks were ended and " + ended.leasesRevoking()
                    + " leases are being revoked; it may act again once an admin approves the new digest");
        }
    }

    private synchronized AgentTasks.Ended manifestChanged(Agent agent, String presented) {
        Agent current = agents.require(agent.tenant(), agent.id());
        agents.save(current.withManifest(current.manifestDigest(), presented));
        AgentTasks.Ended ended = tasks.endAllOf(agent.tenant(), agent.id());
        log.warn("agent {} (tenant {}) presented an unapproved manifest digest; {} tasks ended, {} leases revoking",
                agent.id(), agent.tenant(), ended.tasks(), ended.leasesRevoking());
        return ended;
    }

    private Transition stop(String tenant, String id, Agent.AgentStatus target, String reason) {
        String why = reason == null ? "" : reason.strip();
        if (why.isEmpty() || why.length() > MAX_REASON) {
            throw DomainException.invalid("reason is required (1 to " + MAX_REASON + " characters)");
        }
        Agent stopped;
        synchronized (this) {
            Agent agent = agents.require(tenant, id);
            if (agent.status() == Agent.AgentStatus.OFFBOARDED) {
                throw DomainException.conflict("agent " + id + " is already offboarded");
            }
            stopped = agent.withStatus(target, why);
            agents.save(stopped); // first, so that nothing new starts while its tasks are ended
        }
        AgentTasks.Ended ended = tasks.endAllOf(tenant, id);
        log.info("agent {} (tenant {}) {}: {} tasks ended, {} leases revoking", id, tenant,
                target.name().toLowerCase(java.util.Locale.ROOT), ended.tasks(), ended.leasesRevoking());
        return new Transition(stopped, ended.tasks(), ended.leasesRevoking());
    }
}
