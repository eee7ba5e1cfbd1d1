package org.detrkd.suites.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrkd.datasets.io.InputException;

/**
 * The built-in suites (one per paper table and a CLoCKDistill comparison, resources
 * {@code org/detrkd/suites/NAME.yaml}, listed in {@link KnownNames#SUITES}) and lookup by name or path, so a user can
 * copy a built-in file, change it and pass its path wherever a suite name is accepted.
 */
public final class SuiteCatalog {
    private static final String RESOURCES = "/org/detrkd/suites/";

    private SuiteCatalog() {
    }

    /** Every built-in suite, in listing order. */
    public static List<SuiteSpec> builtIn() {
        List<SuiteSpec> out = new ArrayList<>();
        for (String name : KnownNames.SUITES) {
            out.add(builtIn(name));
        }
        return out;
    }

    /** One built-in suite by name. */
    public static SuiteSpec builtIn(String name) {
        String resource = RESOURCES + name + ".yaml";
        try (InputStream in = SuiteCatalog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing built-in suite resource " + resource);
            }
            return SuiteReader.read("suites/" + name + ".yaml", in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /**
     * A built-in suite by name, or a suite file by path (anything with a '/' or ending in {@code .yaml}/{@code .yml},
     * or an existing file).
     *
     * @throws InputException for an unknown name (listing the built-in ones) or a bad file
     */
    public static SuiteSpec resolve(String nameOrPath) {
        if (KnownNames.SUITES.contains(nameOrPath)) {
            return builtIn(nameOrPath);
        }
        Path p = Path.of(nameOrPath);
        if (nameOrPath.contains("/") || nameOrPath.endsWith(".yaml") || nameOrPath.endsWith(".yml")
                || Files.exists(p)) {
            return SuiteReader.read(p);
        }
        throw new InputException((String) null, "", "unknown suite '" + nameOrPath + "'; built-in suites: "
                + String.join(", ", KnownNames.SUITES) + " (or give the path of a suite file)", null);
    }
}
