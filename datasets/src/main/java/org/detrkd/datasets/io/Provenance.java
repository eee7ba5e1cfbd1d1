package org.detrkd.datasets.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Where a number came from: the detrkd commit it was computed with, the Java runtime and the machine. Every result
 * detrkd prints or writes carries this record, so a table can always be traced back to code and environment.
 *
 * <p>The commit is recorded at build time (git-commit-id plugin); {@code dirty} says the working tree had
 * uncommitted changes then. Deep-learning versions (DJL, PyTorch, device, threads) are added by the modules that
 * use them.
 */
public final class Provenance {
    private static final String RESOURCE = "build-git.properties";
    private static final Properties GIT = load();

    private Provenance() {}

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // leave empty: reported as "unknown"
        }
        return p;
    }

    /** The full commit hash, with {@code -dirty} appended when the tree had changes, or {@code unknown}. */
    public static String commit() {
        String id = GIT.getProperty("git.commit.id", "");
        if (id.isEmpty()) {
            return "unknown";
        }
        return "true".equals(GIT.getProperty("git.dirty")) ? id + "-dirty" : id;
    }

    /** The detrkd version from the jar manifest, or {@code development}. */
    public static String version() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    /** Commit, versions and machine as an ordered map, ready for JSON. */
    public static Map<String, Object> basic() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("detrkd_version", version());
        m.put("git_commit", commit());
        m.put("java_version", System.getProperty("java.version"));
        m.put("java_vendor", System.getProperty("java.vendor"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.put("cpu_cores", Runtime.getRuntime().availableProcessors());
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        return m;
    }

    /** One line for logs and text output: {@code detrkd 0.1.0 (commit abc1234), Java 17.0.15, 2 cores}. */
    public static String oneLine() {
        String c = commit();
        return String.format(Locale.ROOT, "detrkd %s (commit %s), Java %s, %d cores", version(),
                c.length() > 12 && !c.equals("unknown") ? c.substring(0, 12) + (c.endsWith("-dirty") ? "-dirty" : "") : c,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    }
}
