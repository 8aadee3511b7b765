package dev.ephemera.server.support;

import dev.ephemera.legacy.proxy.ProxyAudit;
import dev.ephemera.legacy.proxy.ProxyRefusedException;
import dev.ephemera.legacy.proxy.http.HttpProxyServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP proxy in a JVM of its own: the JDK server fixes its request bound once per JVM, at its
 * first server, and the tests' JVM has made servers of its own before. Ends when its stdin closes.
 */
public final class IsolatedHttpProxy implements AutoCloseable {
    private final Process process;
    private final int port;

    private IsolatedHttpProxy(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static IsolatedHttpProxy start(Duration requestReadTimeout) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), IsolatedHttpProxy.class.getName(),
                Long.toString(requestReadTimeout.toSeconds())).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String port = out.readLine();
        if (port == null) {
            process.destroy();
            throw new IOException("the isolated proxy did not start");
        }
        return new IsolatedHttpProxy(process, Integer.parseInt(port.trim()));
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    public static void main(String[] args) throws Exception {
        ProxyAudit audit = ProxyAudit.refusalsTo(reason -> { });
        try (HttpProxyServer proxy = new HttpProxyServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, (token, client) -> {
            throw new ProxyRefusedException("no leases here");
        }, audit, HttpProxyServer.DEFAULT_REQUEST_TIMEOUT, Duration.ofSeconds(Long.parseLong(args[0])))) {
            proxy.start();
            System.out.println(proxy.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // runs until the test closes stdin
            }
        }
    }
}
