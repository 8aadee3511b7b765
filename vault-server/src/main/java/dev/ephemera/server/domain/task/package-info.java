/**
 * Tasks: an agent's declared objective, tools, sensitivity and roles, with a TTL; the task token;
 * delegation of a narrower task to another agent. Ending a task revokes every lease it holds.
 */
package dev.ephemera.server.domain.task;
