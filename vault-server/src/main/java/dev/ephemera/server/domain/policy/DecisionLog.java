package dev.ephemera.server.domain.policy;

import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Every decision, kept durably before what it decided takes effect, filed under its task so an
 * investigation can replay a task's authority step by step (keys sort by time within a task). A
 * permit is written in the same atomic batch as what it permits (the lease, the task) where there is
 * one: the two exist together or not at all, and the lease path pays no extra fsync.
 */
@Singleton
public final class DecisionLog {
    private final Documents documents;

    public DecisionLog(Documents documents) {
        this.documents = documents;
    }

    /** Writes the decision on its own, durably. Idempotent: a decision has one key. */
    public void keep(Decision decision) {
        documents.put(key(decision.record()), decision.record());
    }

    /** Adds the decision to a batch the caller writes atomically with what the decision permitted. */
    public Batch addTo(Batch batch, Decision decision) {
        return batch.put(key(decision.record()), documents.encode(decision.record()));
    }

    /** The task's decisions, oldest first; an unknown task has none. */
    public List<DecisionRecord> ofTask(String tenant, String taskId) {
        return documents.list(Keys.prefix("decision", tenant, taskId), DecisionRecord.class);
    }

    private static byte[] key(DecisionRecord record) {
        return Keys.of("decision", record.tenant(), record.taskId(), record.id());
    }
}
