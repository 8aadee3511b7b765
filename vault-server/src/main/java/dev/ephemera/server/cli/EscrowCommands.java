package dev.ephemera.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code ephemera escrow …}: an admin's view of escrowed secrets over the HTTP API. The token comes
 * from {@code EPHEMERA_TOKEN} and a secret value from standard input, never from arguments, which
 * other users of the machine can read and shells keep in their history.
 */
final class EscrowCommands {
    static final String USAGE = """
              escrow list | read ID | rotate ID | delete ID
              escrow create ID [--backend B --account A] [--no-rotate] [--period P | --cron EXPR] [--window HH:MM-HH:MM] [--spread S]
                  The account's present password is read from standard input.
              escrow set-value ID              (a manual secret's new value, from standard input)
              escrow pair ID --blue A --green B
                  Pairs escrowed accounts A (active first) and B: each rotation of ID rotates the
                  inactive one and switches to it. read, rotate, plan and consumer take ID too.
              escrow plan ID (--period P | --cron EXPR | --none) [--window HH:MM-HH:MM] [--spread S]
              escrow consumer ID --name APP [--reason TEXT | --approval-id ID]
                  Break-glass: files a grant two other admins approve; run again with --approval-id
                  to receive the application's consumer token, once.
              escrow reveal ID (--reason TEXT | --approval-id ID)
                  Break-glass: files a request two other admins approve, then shows the value once.
                  Escrow commands talk to --address (default $EPHEMERA_ADDR or http://127.0.0.1:8200)
                  with the admin token in $EPHEMERA_TOKEN.
            """;
    /** Not StoredJson: builds API requests and pretty-prints responses for the terminal. */
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FLAGS = Set.of("--no-rotate", "--none");

    private final URI address;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private EscrowCommands(URI address, String token) {
        this.address = address;
        this.token = token;
    }

    static int run(Deque<String> words, Map<String, String> env, BufferedReader in, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        String verb = words.isEmpty() ? "" : words.pop();
        String id = "list".equals(verb) || words.isEmpty() || words.peek().startsWith("--") ? null : words.pop();
        Map<String, String> options = options(words);
        String token = env.get("EPHEMERA_TOKEN");
        if (token == null || token.isBlank()) {
            err.println("ephemera: set EPHEMERA_TOKEN to an admin token");
            return 2;
        }
        String addr = options.getOrDefault("--address", env.getOrDefault("EPHEMERA_ADDR", "http://127.0.0.1:8200"));
        EscrowCommands commands = new EscrowCommands(URI.create(addr.endsWith("/") ? addr : addr + "/"), token.strip());
        if (!"list".equals(verb) && id == null) {
            throw new IllegalArgumentException("escrow " + verb + " needs the secret's id");
        }
        return switch (verb) {
            case "list" -> commands.call("GET", "v1/escrow", null, out, err);
            case "read" -> commands.call("GET", "v1/escrow/" + id, null, out, err);
            case "rotate" -> commands.call("POST", "v1/escrow/" + id + "/rotate", null, out, err);
            case "delete" -> commands.call("DELETE", "v1/escrow/" + id, null, out, err);
            case "create" -> commands.create(id, options, in, out, err);
            case "pair" -> commands.call("POST", "v1/escrow/pairs",
                    Map.of("id", id, "blue", required(options, "--blue"), "green", required(options, "--green")), out, err);
            case "set-value" -> commands.call("PUT", "v1/escrow/" + id + "/value", Map.of("value", readValue(in)), out, err);
            case "plan" -> options.containsKey("--none")
                    ? commands.call("DELETE", "v1/escrow/" + id + "/rotation", null, out, err)
                    : commands.call("PUT", "v1/escrow/" + id + "/rotation", plan(options), out, err);
            case "consumer" -> commands.call("POST", "v1/escrow/" + id + "/consumers", consumer(options), out, err);
            case "reveal" -> commands.call("POST", "v1/escrow/" + id + "/reveal", options.containsKey("--approval-id")
                    ? Map.of("approval_id", options.get("--approval-id")) : Map.of("reason", required(options, "--reason")), out, err);
            default -> throw new IllegalArgumentException("unknown escrow command '" + verb + "'");
        };
    }

    private int create(String id, Map<String, String> options, BufferedReader in, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        if (options.containsKey("--backend")) {
            body.put("backend", options.get("--backend"));
            body.put("account", required(options, "--account"));
        } else if (options.containsKey("--account")) {
            body.put("account", options.get("--account"));
        }
        body.put("rotate_now", !options.containsKey("--no-rotate"));
        if (options.containsKey("--period") || options.containsKey("--cron")) {
            body.put("rotation", plan(options));
        }
        body.put("value", readValue(in));
        return call("POST", "v1/escrow", body, out, err);
    }

    private static Map<String, Object> consumer(Map<String, String> options) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", required(options, "--name"));
        if (options.containsKey("--approval-id")) {
            body.put("approval_id", options.get("--approval-id"));
        } else if (options.containsKey("--reason")) {
            body.put("reason", options.get("--reason"));
        }
        return body;
    }

    private static Map<String, Object> plan(Map<String, String> options) {
        Map<String, Object> plan = new HashMap<>();
        if (options.containsKey("--period")) {
            plan.put("period", options.get("--period"));
        }
        if (options.containsKey("--cron")) {
            plan.put("cron", options.get("--cron"));
        }
        if (options.containsKey("--spread")) {
            plan.put("spread", options.get("--spread"));
        }
        String window = options.get("--window");
        if (window != null) {
            String[] ends = window.split("-", 2);
            if (ends.length != 2) {
                throw new IllegalArgumentException("--window is HH:MM-HH:MM (UTC)");
            }
            plan.put("window_start", ends[0]);
            plan.put("window_end", ends[1]);
        }
        return plan;
    }

    /** Prints the response body; a refusal goes to stderr with its reason, and exits 1. */
    private int call(String method, String path, Object body, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(address.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            err.println("ephemera: cannot reach the vault at " + address + ": " + dev.ephemera.server.domain.core.Failures.describe(e));
            return 1;
        }
        if (response.statusCode() >= 400) {
            String reason = response.body();
            try {
                JsonNode error = JSON.readTree(reason);
                reason = error.path("error").asText() + ": " + error.path("message").asText();
            } catch (IOException notJson) {
                // shown as it came
            }
            err.println("ephemera: " + response.statusCode() + " " + reason);
            return 1;
        }
        if (response.statusCode() == 202) {
            String approval = JSON.readTree(response.body()).path("approval_id").asText();
            err.println("ephemera: held for approval as " + approval + ": two admins other than you approve it with"
                    + " POST /v1/approvals/" + approval + "/approve; then run this command again with --approval-id " + approval);
        }
        out.println(response.body().isEmpty() ? "ok" : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(response.body())));
        return 0;
    }

    private static String readValue(BufferedReader in) throws IOException {
        String value = in.readLine();
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("the value is read from standard input (one line); none was given");
        }
        return value;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    private static Map<String, String> options(Deque<String> words) {
        Map<String, String> options = new HashMap<>();
        Deque<String> rest = new ArrayDeque<>(words);
        while (!rest.isEmpty()) {
            String word = rest.pop();
            if (FLAGS.contains(word)) {
                options.put(word, "true");
            } else if (word.startsWith("--") && !rest.isEmpty()) {
                options.put(word, rest.pop());
            } else {
                throw new IllegalArgumentException("unexpected argument '" + word + "'");
            }
        }
        return options;
    }
}
