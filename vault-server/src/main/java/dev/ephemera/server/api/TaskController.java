package dev.ephemera.server.api;

import dev.ephemera.server.agent.AgentRegistry;
import dev.ephemera.server.auth.WorkloadTokens;
import dev.ephemera.server.task.Task;
import dev.ephemera.server.task.TaskService;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.time.InstantSource;

/** Agents open tasks with their workload token, then act with the task token they get back. */
@Controller("/v1/tasks")
@ExecuteOn(TaskExecutors.BLOCKING)
final class TaskController {
    private final WorkloadTokens workloadTokens;
    private final AgentRegistry agents;
    private final TaskService tasks;
    private final Callers callers;
    private final InstantSource clock;

    TaskController(WorkloadTokens workloadTokens, AgentRegistry agents, TaskService tasks, Callers callers,
                   InstantSource clock) {
        this.workloadTokens = workloadTokens;
        this.agents = agents;
        this.tasks = tasks;
        this.callers = callers;
        this.clock = clock;
    }

    @Post
    HttpResponse<Dtos.TaskView> start(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization,
                                      @Body Dtos.StartTask body) {
        var agent = agents.authenticate(workloadTokens.verify(Callers.bearer(authorization)));
        var started = tasks.start(agent, body.objective(), Durations.parse("ttl", body.ttl()));
        return HttpResponse.created(Dtos.TaskView.of(started.task(), clock.instant(), started.token()));
    }

    @Get("/self")
    Dtos.TaskView self(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        Task task = tasks.find(callers.task(authorization).taskId())
                .orElseThrow(() -> ApiException.unauthenticated("invalid or expired token"));
        return Dtos.TaskView.of(task, clock.instant(), null);
    }

    @Post("/self/end")
    Dtos.TaskEnded end(@Header(HttpHeaders.AUTHORIZATION) @Nullable String authorization) {
        TaskService.Ended ended = tasks.end(callers.task(authorization).taskId());
        return new Dtos.TaskEnded(ended.task().id(), "ended", ended.leasesRevoking());
    }
}
