/**
 * Agents: registered workloads with an owner and a purpose, suspended or offboarded by an admin.
 * Offboarding reaches the agent's tasks through {@link
 * dev.ephemera.server.domain.agent.AgentTasks}, an interface the task service implements, so the
 * dependency points one way.
 */
package dev.ephemera.server.domain.agent;
