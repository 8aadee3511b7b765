package dev.ephemera.server.policy;

import dev.ephemera.server.core.Documents;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Every decision, kept durably before the request it decided goes on, filed under its task so an
 * investigation can replay a task's authority step by step. Keys sort by time within a task.
 */
@Singleton
public final class DecisionLog {
    private final Documents documents;

    DecisionLog(Documents documents) {
        this.documents = documents;
    }

    void record(DecisionRecord record) {
        documents.put(Keys.of("decision", record.tenant(), record.taskId(), record.id()), record);
    }

    /** The task's decisions, oldest first; an unknown task has none. */
    public List<DecisionRecord> ofTask(String tenant, String taskId) {
        return documents.list(Keys.prefix("decision", tenant, taskId), DecisionRecord.class);
    }
}
