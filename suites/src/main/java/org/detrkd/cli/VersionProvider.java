package org.detrkd.cli;

import org.detrkd.datasets.io.Provenance;
import picocli.CommandLine;

/** Prints the detrkd version, the commit it was built from and the Java runtime. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {Provenance.oneLine()};
    }
}
