package dev.ephemera.server.domain.policy;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.ValidationRequest;
import com.cedarpolicy.model.ValidationResponse;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.model.exception.InternalException;
import com.cedarpolicy.model.policy.Policy;
import com.cedarpolicy.model.policy.PolicySet;
import dev.ephemera.server.domain.core.DomainException;
import dev.ephemera.server.domain.core.Documents;
import dev.ephemera.storage.Batch;
import dev.ephemera.storage.Keys;
import jakarta.inject.Singleton;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Each tenant's Cedar policy set: uploaded as text, parsed and validated against the schema before
 * it is stored, versioned, rolled back by re-uploading an older version. The parsed set of each
 * tenant's current version is kept in memory, so an upload takes effect on the next request
 * and no request pays for parsing.
 */
@Singleton
public final class TenantPolicies {
    static final int MAX_TEXT_LENGTH = 128 * 1024;
    private static final Pattern POLICY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}");

    /** A tenant's current version, parsed. */
    record Compiled(int version, PolicySet policies, Map<String, ApprovalRule> approvals) {}

    private final Documents documents;
    private final PolicySchema schema;
    private final InstantSource clock;
    private final BasicAuthorizationEngine cedar = new BasicAuthorizationEngine();
    private final Map<String, Optional<Compiled>> current = new ConcurrentHashMap<>();

    public TenantPolicies(Documents documents, PolicySchema schema, InstantSource clock) {
        this.documents = documents;
        this.schema = schema;
        this.clock = clock;
    }

    /** Validates and stores a new version; nothing is stored when the text is refused. */
    public synchronized PolicyVersion upload(String tenant, String text, String author) {
        return store(tenant, text, author, null);
    }

    /** Makes an older version's text current again, as a new version. */
    public synchronized PolicyVersion rollback(String tenant, int toVersion, String author) {
        PolicyVersion old = version(tenant, toVersion)
                .orElseThrow(() -> DomainException.notFound("no policy version " + toVersion));
        return store(tenant, old.text(), author, toVersion);
    }

    public Optional<PolicyVersion> currentVersion(String tenant) {
        return documents.get(headKey(tenant), Integer.class).flatMap(v -> version(tenant, v));
    }

    public Optional<PolicyVersion> version(String tenant, int version) {
        return version < 1 ? Optional.empty() : documents.get(versionKey(tenant, version), PolicyVersion.class);
    }

    public List<PolicyVersion> versions(String tenant) {
        return documents.list(Keys.prefix("policy", tenant), PolicyVersion.class);
    }

    /** The parsed current set, or empty when the tenant has none (every request is then denied). */
    Optional<Compiled> compiled(String tenant) {
        return current.computeIfAbsent(tenant, t -> currentVersion(t).map(v -> compile(v.version(), parse(v.text()))));
    }

    private static Compiled compile(int version, PolicySet set) {
        Map<String, ApprovalRule> approvals = new java.util.HashMap<>();
        for (Policy policy : set.policies) {
            ApprovalRule rule = approvalRule(policy);
            if (rule.required()) {
                approvals.put(policy.getID(), rule);
            }
        }
        return new Compiled(version, set, Map.copyOf(approvals));
    }

    private static ApprovalRule approvalRule(Policy policy) {
        try {
            return ApprovalRule.of(policy.getID(), policy.getAnnotations());
        } catch (InternalException e) {
            throw DomainException.invalid("policy '" + policy.getID() + "' has unreadable annotations: " + cedarMessage(e));
        }
    }

    private PolicyVersion store(String tenant, String text, String author, Integer rollbackOf) {
        PolicySet parsed = parse(text);
        validate(parsed);
        compile(0, parsed); // refuses malformed approval annotations before anything is stored
        int version = currentVersion(tenant).map(PolicyVersion::version).orElse(0) + 1;
        List<String> ids = parsed.policies.stream().map(Policy::getID).sorted().toList();
        PolicyVersion stored = new PolicyVersion(tenant, version, text, ids, author, clock.instant(), rollbackOf);
        documents.write(Batch.create()
                .put(versionKey(tenant, version), documents.encode(stored))
                .put(headKey(tenant), documents.encode(version)));
        current.put(tenant, Optional.of(compile(version, parsed)));
        return stored;
    }

    /**
     * Parses the text and names each policy by its {@code @id("…")} annotation (Cedar's own ids are
     * positions, which change with every edit and would make decision records meaningless).
     */
    private static PolicySet parse(String text) {
        if (text == null || text.isBlank()) {
            throw DomainException.invalid("policies are required: Cedar policy text (an empty set would deny everything; say so with a forbid)");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw DomainException.invalid("policy text is longer than " + MAX_TEXT_LENGTH + " characters");
        }
        try {
            PolicySet raw = PolicySet.parsePolicies(text);
            if (!raw.templates.isEmpty()) {
                throw DomainException.invalid("policy templates are not supported; write static policies");
            }
            Set<Policy> named = new HashSet<>();
            Set<String> seen = new HashSet<>();
            for (Policy policy : raw.policies) {
                String id = Optional.ofNullable(policy.getAnnotations().get("id")).orElse(policy.getID());
                if (!POLICY_ID.matcher(id).matches()) {
                    throw DomainException.invalid("@id must be 1-100 characters of letters, digits, '.', '_', ':' or '-'");
                }
                if (!seen.add(id)) {
                    throw DomainException.invalid("two policies have the @id '" + id + "'");
                }
                named.add(new Policy(policy.getSource(), id));
            }
            PolicySet set = new PolicySet(named);
            set.cache();
            return set;
        } catch (InternalException | com.cedarpolicy.model.exception.CacheException e) {
            throw DomainException.invalid("policy text does not parse: " + cedarMessage(e));
        }
    }

    private void validate(PolicySet policies) {
        ValidationResponse response;
        try {
            response = cedar.validate(new ValidationRequest(schema.schema(), policies));
        } catch (AuthException e) {
            throw DomainException.invalid("policies cannot be validated: " + cedarMessage(e));
        }
        List<String> problems = new ArrayList<>();
        response.errors.ifPresent(errors -> errors.forEach(e -> problems.add(e.message)));
        response.success.ifPresent(s -> s.validationErrors.forEach(e ->
                problems.add("policy '" + e.getPolicyId() + "': " + e.getError().message
                        + e.getError().help.filter(h -> !h.isBlank()).map(h -> " (" + h + ")").orElse(""))));
        if (!response.validationPassed() || !problems.isEmpty()) {
            throw DomainException.invalid("policies do not match the schema: " + problems.stream().limit(10).collect(Collectors.joining("; ")));
        }
    }

    static String cedarMessage(Exception e) {
        String message = String.valueOf(e.getMessage());
        return message.replaceFirst("^Internal error: ", "").replaceFirst("^Internal JNI Error: ", "");
    }

    private static byte[] headKey(String tenant) {
        return Keys.of("policy-head", tenant);
    }

    private static byte[] versionKey(String tenant, int version) {
        return Keys.of("policy", tenant, String.format("%010d", version));
    }
}
